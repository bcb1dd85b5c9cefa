/** One DNS label as host names use it (RFC 1123): 1–63 of a-z, 0-9 and '-', not starting or ending with '-'. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
