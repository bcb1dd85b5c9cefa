/** The regions, sizes and images the emulated account can use (a small, realistic slice of the real ones). */

export interface Region {
  name: string;
  slug: string;
  features: string[];
  available: boolean;
  sizes: string[];
}

export interface Size {
  slug: string;
  memory: number;
  vcpus: number;
  disk: number;
  transfer: number;
  price_monthly: number;
  price_hourly: number;
  regions: string[];
  available: boolean;
  description: string;
  disk_info: Array<{ type: 'local'; size: { amount: number; unit: 'gib' } }>;
}

export interface Image {
  id: number;
  name: string;
  type: 'base';
  distribution: string;
  slug: string;
  public: boolean;
  regions: string[];
  created_at: string;
  min_disk_size: number;
  size_gigabytes: number;
  description: string;
  tags: string[];
  status: 'available';
  error_message: string;
}

const REGION_FEATURES = ['backups', 'ipv6', 'metadata', 'install_agent', 'storage', 'image_transfer'];

const SIZE_SPECS: Array<[slug: string, memory: number, vcpus: number, disk: number, transfer: number, monthly: number]> = [
  ['s-1vcpu-512mb-10gb', 512, 1, 10, 0.5, 4],
  ['s-1vcpu-1gb', 1024, 1, 25, 1, 6],
  ['s-1vcpu-2gb', 2048, 1, 50, 2, 12],
  ['s-2vcpu-2gb', 2048, 2, 60, 3, 18],
  ['s-2vcpu-4gb', 4096, 2, 80, 4, 24],
  ['s-4vcpu-8gb', 8192, 4, 160, 5, 48],
];

const REGION_NAMES: Array<[slug: string, name: string]> = [
  ['nyc1', 'New York 1'],
  ['nyc3', 'New York 3'],
  ['sfo3', 'San Francisco 3'],
  ['ams3', 'Amsterdam 3'],
  ['fra1', 'Frankfurt 1'],
  ['lon1', 'London 1'],
];

const REGION_SLUGS = REGION_NAMES.map(([slug]) => slug);

export const SIZES: readonly Size[] = SIZE_SPECS.map(([slug, memory, vcpus, disk, transfer, monthly]) => ({
  slug,
  memory,
  vcpus,
  disk,
  transfer,
  price_monthly: monthly,
  // DigitalOcean bills 672 hours a month.
  price_hourly: monthly / 672,
  regions: REGION_SLUGS,
  available: true,
  description: 'Basic',
  disk_info: [{ type: 'local', size: { amount: disk, unit: 'gib' } }],
}));

export const REGIONS: readonly Region[] = REGION_NAMES.map(([slug, name]) => ({
  name,
  slug,
  features: REGION_FEATURES,
  available: true,
  sizes: SIZES.map((s) => s.slug),
}));

const image = (id: number, slug: string, name: string, distribution: string, created_at: string): Image => ({
  id,
  name,
  type: 'base',
  distribution,
  slug,
  public: true,
  regions: REGION_SLUGS,
  created_at,
  min_disk_size: 7,
  size_gigabytes: 2.36,
  description: `${distribution} ${name}`,
  tags: [],
  status: 'available',
  error_message: '',
});

export const IMAGES: readonly Image[] = [
  image(160232537, 'ubuntu-24-04-x64', '24.04 (LTS) x64', 'Ubuntu', '2024-07-26T18:24:57Z'),
  image(129211873, 'ubuntu-22-04-x64', '22.04 (LTS) x64', 'Ubuntu', '2023-04-26T14:38:36Z'),
  image(152810283, 'debian-12-x64', '12 x64', 'Debian', '2024-04-15T20:25:31Z'),
];

/** Used when no region is requested; the defaults also stand in for an adopted host's unknown slugs. */
export const DEFAULT_REGION = REGIONS.find((r) => r.slug === 'nyc3')!;
export const DEFAULT_SIZE = SIZES.find((s) => s.slug === 's-1vcpu-1gb')!;
export const DEFAULT_IMAGE = IMAGES[0]!;

export const findSize = (slug: string): Size | undefined => SIZES.find((s) => s.slug === slug);

/** Exact slug, or a prefix such as `nyc` meaning any datacenter there (as the API allows). */
export const findRegion = (slug: string): Region | undefined =>
  REGIONS.find((r) => r.slug === slug) ?? REGIONS.find((r) => r.slug.replace(/\d+$/, '') === slug);

/** By slug or numeric id. */
export const findImage = (ref: string | number): Image | undefined =>
  IMAGES.find((i) => (typeof ref === 'number' ? i.id === ref : i.slug === ref));
