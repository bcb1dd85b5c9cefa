export async function slbSyncCommand(): Promise<void> { throw new Error('not yet'); }
