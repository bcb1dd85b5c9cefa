# dynia-sandbox/registry: Debian's docker-registry 2.8 (distribution), open (no auth), filesystem storage.
base_fs "$R"
add_bin "$R" /usr/bin/docker-registry
mkdir -p "$R/etc/docker/registry" "$R/var/lib/registry"
cp "$IMAGE_DIR/config.yml" "$R/etc/docker/registry/config.yml"
CHANGES=(-c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'EXPOSE 5000'
  -c 'CMD ["docker-registry","serve","/etc/docker/registry/config.yml"]')
