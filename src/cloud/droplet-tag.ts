/** The tag every droplet Dynia creates carries: how node:create, node:destroy, status and state:rebuild find them. */
export const DROPLET_TAG = 'dynia';
