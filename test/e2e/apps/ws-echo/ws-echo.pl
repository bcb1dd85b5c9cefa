#!/usr/bin/perl
# GET /healthz answers "ok"; any other plain request "ws-echo <method> <path>"; an `Upgrade: websocket` request
# is accepted and every text or binary message is echoed back as "echo:<message>". One process per connection.
use strict;
use warnings;
use IO::Socket::INET;
use Digest::SHA qw(sha1_base64);
use POSIX ':sys_wait_h';

$SIG{CHLD} = sub { 1 while waitpid(-1, WNOHANG) > 0 };
$SIG{TERM} = sub { exit 0 };
my $server = IO::Socket::INET->new(LocalPort => 8080, Listen => 128, ReuseAddr => 1) or die "listen: $!";
while (1) {
  my $client = $server->accept or next;
  my $pid = fork;
  if (defined $pid && $pid == 0) { close $server; handle($client); exit 0 }
  close $client;
}

sub fill { my ($c, $buf, $want) = @_; while (length($$buf) < $want) { my $n = sysread($c, my $more, 65536); return 0 unless $n; $$buf .= $more } 1 }

sub handle {
  my $c = shift;
  binmode $c;
  my $buf = '';
  while ($buf !~ /\r\n\r\n/) { my $n = sysread($c, my $more, 65536); return unless $n; $buf .= $more }
  my ($head, $rest) = split /\r\n\r\n/, $buf, 2;
  my ($line, @lines) = split /\r\n/, $head;
  my %h = map { /^([^:]+):\s*(.*)$/ ? (lc $1, $2) : () } @lines;
  my ($method, $path) = split / /, $line;
  if (lc($h{upgrade} // '') eq 'websocket' && $h{'sec-websocket-key'}) {
    my $accept = sha1_base64($h{'sec-websocket-key'} . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11') . '=';
    syswrite $c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: $accept\r\n\r\n";
    return websocket($c, $rest);
  }
  fill($c, \$rest, $h{'content-length'} // 0) or return;
  my $body = $path eq '/healthz' ? "ok\n" : "ws-echo $method $path\n";
  syswrite $c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
}

sub websocket {
  my ($c, $buf) = @_;
  while (1) {
    fill($c, \$buf, 2) or return;
    my ($b0, $b1) = unpack 'CC', $buf;
    my ($len, $off) = ($b1 & 0x7f, 2);
    if ($len == 126) { fill($c, \$buf, 4) or return; ($len, $off) = (unpack('n', substr($buf, 2, 2)), 4) }
    elsif ($len == 127) { fill($c, \$buf, 10) or return; ($len, $off) = (unpack('Q>', substr($buf, 2, 8)), 10) }
    my $masked = $b1 & 0x80 ? 4 : 0;
    fill($c, \$buf, $off + $masked + $len) or return;
    my $data = substr($buf, $off + $masked, $len);
    $data ^= substr(substr($buf, $off, 4) x (int($len / 4) + 1), 0, $len) if $masked;
    $buf = substr($buf, $off + $masked + $len);
    my $op = $b0 & 0x0f;
    if ($op == 8) { syswrite $c, pack('CC', 0x88, 0); return }
    if ($op == 9) { frame($c, 0x8a, $data) }
    if ($op == 1 || $op == 2) { frame($c, 0x80 | $op, "echo:$data") }
  }
}

sub frame {
  my ($c, $b0, $data) = @_;
  my $l = length $data;
  my $head = $l < 126 ? pack('CC', $b0, $l) : $l < 65536 ? pack('CCn', $b0, 126, $l) : pack('CCQ>', $b0, 127, $l);
  syswrite $c, $head . $data;
}
