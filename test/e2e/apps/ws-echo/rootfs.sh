#!/usr/bin/env bash
# Fills <context>/rootfs with this machine's perl and the modules ws-echo.pl uses (no registry is reachable).
set -euo pipefail
. "$(dirname "$0")/../../../../sandbox/scripts/lib.sh"
R=$1/rootfs
add_bin "$R" /usr/bin/perl
add_file "$R" /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/perl/5.36/Digest/SHA.pm \
  /usr/lib/x86_64-linux-gnu/perl/5.36/auto/Digest/SHA /usr/share/perl/5.36/Digest/base.pm
