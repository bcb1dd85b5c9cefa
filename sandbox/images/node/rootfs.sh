# dynia-sandbox/node: a node host, i.e. what a droplet offers once booted: sshd (root, key only), its own
# dockerd (Docker in Docker), the docker CLI with the Compose v2 plugin (also as `docker-compose`), bash, curl,
# busybox. Run it as the sandbox's host driver does (NOT --privileged, see node-init):
#   --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined
#   --security-opt systempaths=unconfined --mount type=volume,dst=/var/lib/docker
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
base_fs "$R"
add_bin "$R" /usr/sbin/dockerd /usr/sbin/docker-proxy /usr/bin/containerd /usr/bin/containerd-shim-runc-v2 \
  /usr/sbin/runc /usr/bin/docker /usr/bin/tini-static /usr/sbin/xtables-nft-multi /usr/sbin/sshd \
  /usr/bin/ssh-keygen /usr/bin/bash /usr/bin/curl
ln -sf tini-static "$R/usr/bin/docker-init"
ln -sf ../sbin/runc "$R/usr/bin/runc"
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf xtables-nft-multi "$R/usr/sbin/$t"
done
add_file "$R" /usr/lib/x86_64-linux-gnu/xtables /etc/protocols /etc/services /etc/ethertypes
install -D -m 755 "$COMPOSE_PLUGIN" "$R/usr/libexec/docker/cli-plugins/docker-compose"
ln -sf ../libexec/docker/cli-plugins/docker-compose "$R/usr/bin/docker-compose"
printf 'root:x:0:0:root:/root:/bin/bash\nsshd:x:102:65534::/run/sshd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n' >"$R/etc/shadow"
chmod 640 "$R/etc/shadow"
mkdir -p "$R/etc/ssh/sshd_config.d" "$R/root/.ssh" "$R/var/lib/docker" "$R/var/lib/cloud" "$R/var/log" "$R/etc/docker" "$R/usr/local/bin"
cp "$IMAGE_DIR/sshd_config" "$R/etc/ssh/sshd_config"
install -m 755 "$IMAGE_DIR/node-init" "$R/usr/local/bin/node-init"
CHANGES=(-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'EXPOSE 22 80 443'
  -c 'CMD ["/usr/bin/tini-static","--","/usr/local/bin/node-init"]')
