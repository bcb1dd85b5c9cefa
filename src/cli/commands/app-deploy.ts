export async function appDeployCommand(): Promise<void> { throw new Error('not yet'); }
