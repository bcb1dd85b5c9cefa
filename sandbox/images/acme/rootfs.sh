# dynia-sandbox/acme: pebble (the ACME test CA) and dnsmasq (the sandbox's DNS resolvers), from Debian.
# The sandbox starts it with its own command line (pebble or dnsmasq), so CMD is only a shell.
base_fs "$R"
add_bin "$R" /usr/bin/pebble /usr/sbin/dnsmasq
mkdir -p "$R/etc/pebble" "$R/var/lib/misc"
CHANGES=(-c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]')
