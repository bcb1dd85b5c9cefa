#!/usr/bin/env node
// Runs the bundled CLI (npm run build). From a source checkout without a build, fall back to tsx.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/cli.js', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
