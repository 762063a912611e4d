#!/usr/bin/perl
# Mail::SPF (libmail-spf-perl, Debian) as a reference for the differential test: one check per input line
# "ID IP SENDER HELO" (SENDER "<>" = the null sender), one output line "ID RESULT" per check.
# The server uses Mail::SPF's default settings; only the resolver is aimed at the test's DNS server, with short
# timeouts so that a deliberately unanswered name costs the run a fraction of a second.
# usage: mailspf_driver.pl ADDRESS PORT TIMEOUT_SECONDS
use strict;
use warnings;
use Mail::SPF;
use Net::DNS::Resolver;

my ($address, $port, $timeout) = @ARGV;
my $resolver = Net::DNS::Resolver->new(
    nameservers => [$address], port => $port, recurse => 1, retry => 1, retrans => $timeout,
    udp_timeout => $timeout, tcp_timeout => $timeout, searchlist => [], defnames => 0, dnsrch => 0);
my $server = Mail::SPF::Server->new(dns_resolver => $resolver);
$| = 1;
while (my $line = <STDIN>) {
    chomp $line;
    my ($id, $ip, $sender, $helo) = split / /, $line;
    my $result = eval {
        my $request = Mail::SPF::Request->new(
            scope => 'mfrom', identity => ($sender eq '<>' ? "postmaster\@$helo" : $sender),
            ip_address => $ip, helo_identity => $helo);
        $server->process($request)->code;
    };
    $result = 'crash' unless defined $result;
    print "$id $result\n";
}
