/** Docker Hub naming, pure: `caddy:2` is stored as `library/caddy:2`, a missing tag means `latest`. */
export function hubReference(hubName: string): string {
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(hubName)) {
    throw new Error(`not a Docker Hub image name: ${JSON.stringify(hubName)} (expected e.g. caddy:2 or myorg/app:1)`);
  }
  const [repo, tag = 'latest'] = hubName.split(':');
  return `${repo.includes('/') ? repo : `library/${repo}`}:${tag}`;
}
