import { startLoad, summarize } from '../lib.js';
const stop = startLoad({ url: 'https://probe2.dynia.test/', ip: '172.29.5.10', connections: 32 });
await new Promise((r) => setTimeout(r, Number(process.argv[2] ?? 5000)));
console.log(summarize('load', await stop()));
