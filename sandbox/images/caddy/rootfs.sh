# dynia-sandbox/caddy: stands in for Docker Hub's caddy:2 (seeded as caddy:2). Debian's caddy 2.6.2 in the
# official image's layout: /usr/bin/caddy, /etc/caddy/Caddyfile, XDG dirs /config and /data, workdir /srv,
# admin API on localhost:2019 (so `caddy reload` inside the container works). Busybox gives sh and wget.
base_fs "$R"
add_bin "$R" /usr/bin/caddy
mkdir -p "$R"/{config/caddy,data/caddy,srv,etc/caddy,usr/share/caddy}
cp "$IMAGE_DIR/Caddyfile" "$R/etc/caddy/Caddyfile"
echo '<!doctype html><title>Caddy works!</title><p>Caddy works!</p>' >"$R/usr/share/caddy/index.html"
CHANGES=(-c 'ENV XDG_CONFIG_HOME=/config' -c 'ENV XDG_DATA_HOME=/data'
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  -c 'WORKDIR /srv' -c 'EXPOSE 80 443 443/udp 2019'
  -c 'CMD ["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"]')
