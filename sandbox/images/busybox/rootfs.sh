# dynia-sandbox/busybox: stands in for Docker Hub's busybox (seeded as busybox:1.36 and busybox:latest).
# Static busybox with every applet under /bin, CMD sh, like the official image.
base_fs "$R"
CHANGES=(-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]')
