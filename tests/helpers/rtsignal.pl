# A Perl program blocked in accept, recv or sysread with a SIGUSR1 handler.
#
#   perl rtsignal.pl accept|recv|read
#
# A child sends SIGUSR1 once the call blocks (300 ms), and two seconds
# later completes the call (connects, or writes a byte), so the program
# ends either way.  Prints "handled=1 latency=S": the time from the kill to
# the handler running.  Bare, the call fails with EINTR inside perl, which
# then runs the handler (deferred signals, perlipc).
use strict;
use warnings;
use Socket;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC sleep);

my $call = $ARGV[0];
my $handled_at;
$SIG{USR1} = sub { $handled_at = clock_gettime(CLOCK_MONOTONIC); die "usr1\n" };
pipe(my $report_r, my $report_w) or die "pipe: $!";
my ($ls, $port, $mine, $theirs, $rd, $wr);
if ($call eq 'accept') {
    socket($ls, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    bind($ls, pack_sockaddr_in(0, inet_aton('127.0.0.1'))) or die "bind: $!";
    listen($ls, 1) or die "listen: $!";
    ($port) = unpack_sockaddr_in(getsockname($ls));
} elsif ($call eq 'recv') {
    socketpair($mine, $theirs, AF_UNIX, SOCK_STREAM, 0) or die "socketpair: $!";
} else {
    pipe($rd, $wr) or die "pipe: $!";
}
my $parent = $$;
my $child = fork() // die "fork: $!";
if ($child == 0) {
    sleep(0.3);
    syswrite($report_w, pack('d', clock_gettime(CLOCK_MONOTONIC)));
    kill 'USR1', $parent;
    sleep(2);
    if ($call eq 'accept') {
        socket(my $c, PF_INET, SOCK_STREAM, 0);
        connect($c, pack_sockaddr_in($port, inet_aton('127.0.0.1')));
        close($c);
    } elsif ($call eq 'recv') {
        send($theirs, 'x', 0);
    } else {
        syswrite($wr, 'x');
    }
    require POSIX;
    POSIX::_exit(0);
}
eval {
    if ($call eq 'accept') {
        accept(my $c, $ls);
    } elsif ($call eq 'recv') {
        recv($mine, my $buf, 1, 0);
    } else {
        sysread($rd, my $buf, 1);
    }
};
sysread($report_r, my $sent, 8);
waitpid($child, 0);
printf("handled=%d latency=%.3f\n", defined $handled_at ? 1 : 0, $handled_at - unpack('d', $sent));
