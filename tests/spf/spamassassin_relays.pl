#!/usr/bin/perl
# Prints, per message file, the relays SpamAssassin trusts and the first untrusted one (its "entry").
use strict; use warnings;
use Mail::SpamAssassin;
my @trusted = grep { /^--trusted=/ } @ARGV; @ARGV = grep { !/^--trusted=/ } @ARGV;
my $config = "use_bayes 0\nuse_auto_whitelist 0\n";
$config .= "trusted_networks " . substr($_, 10) . "\n" for @trusted;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1, userprefs_filename => '/dev/null',
  site_rules_filename => '/nonexistent', rules_filename => '/nonexistent', post_config_text => $config,
  home_dir_for_helpers => '/tmp' });
$sa->init(0);
for my $file (@ARGV) {
  open(my $fh, '<', $file) or die "$file: $!"; local $/; my $text = <$fh>; close $fh;
  my $msg = $sa->parse($text, 1);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $msg->extract_message_metadata($pms);
  my $untrusted = $msg->{metadata}->{relays_untrusted} || [];
  my $first = @$untrusted ? $untrusted->[0]->{ip} : '-';
  print "$file\t$first\t", scalar(@{$msg->{metadata}->{relays_trusted} || []}), "\n";
  $pms->finish(); $msg->finish();
}
