# A stand-in database: refuses to start without its secret, serves /data/notes.txt over CGI on :7000.
[ -s /run/secrets/db_token ] || { echo "db: secret db_token missing" >&2; exit 1; }
mkdir -p /tmp/www/cgi-bin && cp /srv/notes.cgi /tmp/www/cgi-bin/notes && chmod 755 /tmp/www/cgi-bin/notes
touch /data/notes.txt
date -u +%FT%TZ >> /backups/starts.log
exec httpd -f -p 7000 -h /tmp/www
