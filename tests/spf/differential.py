#!/usr/bin/python3
"""Differential test of `nettool spf` against the two reference implementations in Debian: pyspf (python3-spf,
in this process) and Mail::SPF (libmail-spf-perl, through mailspf_driver.pl).

A generator of our own builds random policy trees from fixed seeds: ip4/ip6 (with malformed prefixes), a, mx (with
hosts lacking the client's address family, and over 10 MX names), include and redirect (nested, missing, without a
v=spf1 record), exists with macros, ptr (NXDOMAIN, unvalidated names), qualifiers, chains that reach the limit of
10 lookups, names that answer NXDOMAIN or no data (void lookups), names that are never answered (timeouts), and
broken records (syntax errors, two v=spf1 records). All trees are served by one zone_server.py on 127.0.0.1 (a
python3-dnslib fixture: it only serves data; the programs compared are the real ones).

Every disagreement between nettool and either reference must be listed in the expectations file with the RFC
section that decides it; the run fails on any disagreement not listed there.

usage: differential.py NETTOOL [--seeds 1,2] [--trees 200] [--expectations FILE] [--show ID] [--write-observed F]
"""
import argparse
import concurrent.futures
import ipaddress
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = ('pass', 'fail', 'softfail', 'neutral', 'none', 'permerror', 'temperror')


class Tree:
    """One policy tree: its zone entries, the check to run, and the records (for --show)."""

    def __init__(self, case_id, rng):
        self.id = case_id
        self.rng = rng
        index = int(case_id.split(':')[1])
        seed = int(case_id.split(':')[0])
        self.root = 't%d-%d.test' % (seed, index)
        self.v6 = rng.random() < 0.15
        self.ip = ('2001:db8:%x:%x::25' % (seed, index)) if self.v6 else '10.%d.%d.%d' % (seed, index // 250,
                                                                                            index % 250 + 1)
        self.zone = {}
        self.records = []
        self.counter = 0
        self.sender = 'user@' + self.root
        self.helo = 'mail.' + self.root
        self.ptr_state = None

    def add(self, name, *entries):
        self.zone.setdefault(name, []).extend(entries)

    def fresh(self, prefix):
        self.counter += 1
        return '%s%d.%s' % (prefix, self.counter, self.root)

    def other_ip(self):
        if self.v6:
            return '2001:db8:ffff::%x' % self.rng.randint(1, 0xffff)
        return '192.0.2.%d' % self.rng.randint(1, 254)

    def host(self, name, kind=None):
        """Gives `name` an address answer of a random kind; returns the kind."""
        rng = self.rng
        kind = kind or rng.choices(['match', 'other', 'wrong_family', 'nodata', 'nxdomain', 'timeout'],
                                   [30, 25, 15, 10, 15, 2])[0]
        fam = 'AAAA' if self.v6 else 'A'
        if kind == 'match':
            self.add(name, {fam: self.ip})
        elif kind == 'other':
            self.add(name, {fam: self.other_ip()})
        elif kind == 'wrong_family':  # only the other family: an empty answer for the client's (a void lookup)
            self.add(name, {'AAAA': '2001:db8:eeee::1'} if fam == 'A' else {'A': '192.0.2.200'})
        elif kind == 'nodata':
            self.add(name, {'TXT': 'not an address'})
        elif kind == 'timeout':
            self.add(name, 'TIMEOUT')
        return kind

    def macro_exists(self):
        """An exists: term whose target uses macros, and the name it expands to."""
        rng = self.rng
        label = self.fresh('e').split('.')[0]
        forms = [('%{l}.' + label + '.' + self.root, 'user.' + label + '.' + self.root),
                 ('%{d}.' + label + '.' + self.root, self.root + '.' + label + '.' + self.root),
                 ('%{o1r}.' + label + '.' + self.root, 'test.' + label + '.' + self.root),
                 ('%{h2}.' + label + '.' + self.root, self.root + '.' + label + '.' + self.root)]
        if not self.v6:
            rev = '.'.join(reversed(self.ip.split('.')))
            forms += [('%{i}.' + label + '.' + self.root, self.ip + '.' + label + '.' + self.root),
                      ('%{ir}.%{v}.' + label + '.' + self.root, rev + '.in-addr.' + label + '.' + self.root)]
        spec, name = rng.choice(forms)
        return spec, name

    def setup_ptr(self):
        if self.ptr_state is not None:
            return
        rng = self.rng
        rev = ipaddress.ip_address(self.ip).reverse_pointer
        self.ptr_state = rng.choice(['nxdomain', 'nxdomain', 'names', 'names', 'names', 'timeout'])
        if self.ptr_state == 'timeout':
            self.add(rev, 'TIMEOUT')
        elif self.ptr_state == 'names':
            for _ in range(rng.randint(1, 3)):
                name = self.fresh('p') if rng.random() < 0.7 else 'x%d.elsewhere-%s' % (self.counter, self.root)
                self.add(rev, {'PTR': name})
                self.host(name, rng.choice(['match', 'match', 'other', 'nxdomain', 'wrong_family']))

    def mechanism(self, domain, depth):
        rng = self.rng
        kind = rng.choices(['ip4', 'ip6', 'a', 'mx', 'include', 'exists', 'ptr', 'bad'],
                           [14, 5, 22, 16, 14, 12, 5, 2])[0]
        q = rng.choices(['', '-', '~', '?', '+'], [70, 8, 10, 8, 4])[0]
        if kind in ('ip4', 'ip6'):
            want6 = kind == 'ip6'
            if want6 == self.v6 and rng.random() < 0.4:
                net = ipaddress.ip_network('%s/%d' % (self.ip, rng.choice([24, 32] if not self.v6 else [48, 128])),
                                           strict=False)
            else:
                net = ipaddress.ip_network('%s/%d' % ('198.51.100.0' if kind == 'ip4' else '2001:db8:dddd::',
                                                      24 if kind == 'ip4' else 48))
            return q + kind + ':' + str(net)
        if kind == 'a':
            if rng.random() < 0.15:
                self.host(domain)
                return q + 'a'
            name = self.fresh('h')
            self.host(name)
            cidr = rng.choice(['', '', '', '/24' if not self.v6 else '//64'])
            return q + 'a:' + name + cidr
        if kind == 'mx':
            name = self.fresh('m')
            shape = rng.choices(['hosts', 'nxdomain', 'nodata', 'eleven', 'timeout'], [80, 8, 6, 3, 1])[0]
            if shape == 'hosts' or shape == 'eleven':
                count = 11 if shape == 'eleven' else rng.randint(1, 3)
                for pref in range(count):
                    host = self.fresh('mh')
                    self.add(name, {'MX': [10 * (pref + 1), host]})
                    self.host(host)
            elif shape == 'nodata':
                self.add(name, {'TXT': 'no mail here'})
            elif shape == 'timeout':
                self.add(name, 'TIMEOUT')
            return q + 'mx:' + name
        if kind == 'include':
            name = self.fresh('i')
            self.target_record(name, depth + 1)
            return q + 'include:' + name
        if kind == 'exists':
            if rng.random() < 0.6:
                spec, name = self.macro_exists()
            else:
                spec = name = self.fresh('x')
            self.host(name, rng.choice(['match', 'nxdomain', 'nxdomain', 'nodata', 'timeout'])
                      if not self.v6 else rng.choice(['nxdomain', 'nodata']))
            if self.v6 and rng.random() < 0.5:
                self.add(name, {'A': '127.0.0.2'})
            return q + 'exists:' + spec
        if kind == 'ptr':
            self.setup_ptr()
            return q + rng.choice(['ptr', 'ptr:' + self.root, 'ptr:elsewhere-' + self.root])
        return rng.choice(['ip4:192.0.2.1/33', 'foo', 'a:%{z}.' + self.root, 'include:', 'ip4:300.1.1.1',
                           'mx/129', 'exists', 'ip6:2001:db8::/129'])

    def target_record(self, name, depth):
        """Publishes something at an include/redirect target."""
        rng = self.rng
        shape = rng.choices(['record', 'nxdomain', 'no_spf', 'timeout'], [86, 7, 5, 2])[0] if depth < 4 else 'nx'
        if shape == 'record':
            self.add(name, {'TXT': self.record(name, depth)})
        elif shape == 'no_spf':
            self.add(name, {'TXT': 'google-site-verification=abc'})
        elif shape == 'timeout':
            self.add(name, 'TIMEOUT')

    def record(self, domain, depth):
        rng = self.rng
        terms = []
        if rng.random() < 0.06 and depth == 0:  # a chain that reaches the lookup limit
            for _ in range(rng.randint(8, 11)):
                name = self.fresh('c')
                self.host(name, rng.choice(['other', 'other', 'other', 'nxdomain']))
                terms.append('a:' + name)
        for _ in range(rng.randint(1, 5 if depth < 2 else 3)):
            terms.append(self.mechanism(domain, depth))
        if rng.random() < 0.22:
            target = self.fresh('r')
            self.target_record(target, depth + 1)
            terms.append('redirect=' + target)
            if rng.random() < 0.2:
                terms.append(rng.choice(['-all', '~all', '?all']))
        elif rng.random() < 0.75:
            terms.append(rng.choice(['-all', '-all', '~all', '?all', '+all']))
        if rng.random() < 0.1:
            terms.insert(rng.randint(0, len(terms)), rng.choice(['exp=why.' + self.root, 'foo=bar', 'x-y=%{d}']))
        text = 'v=spf1 ' + ' '.join(terms)
        self.records.append((domain, text))
        return text

    def build(self):
        self.add(self.root, {'TXT': self.record(self.root, 0)})
        if self.rng.random() < 0.03:  # a second v=spf1 record
            self.add(self.root, {'TXT': 'v=spf1 ip4:198.51.100.1 -all'})
        self.add('why.' + self.root, {'TXT': 'not allowed'})
        return self


def generate(seeds, trees):
    out = []
    for seed in seeds:
        for index in range(trees):
            case_id = '%d:%d' % (seed, index)
            out.append(Tree(case_id, random.Random(seed * 1000003 + index)).build())
    return out


def start_zone_server(zone, work, jitter_ms=0):
    zone_file = os.path.join(work, 'zone.json')
    with open(zone_file, 'w') as f:
        json.dump(zone, f)
    port_file = os.path.join(work, 'port%d' % jitter_ms)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'zone_server.py'), zone_file, '--address',
                             '127.0.0.1', '--port-file', port_file, '--jitter-ms', str(jitter_ms)])
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return proc, int(f.read())
        time.sleep(0.05)
    proc.kill()
    sys.exit('zone_server did not start')


def run_pyspf(trees, port, timeout):
    import DNS
    import spf
    DNS.defaults['server'] = ['127.0.0.1']
    DNS.defaults['port'] = port
    out = {}
    for t in trees:
        try:
            out[t.id] = spf.query(t.ip, t.sender, t.helo, timeout=timeout).check()[0]
        except Exception as e:  # a crash is a result of its own
            out[t.id] = 'crash:' + type(e).__name__
    return out


def run_mailspf(trees, port, timeout):
    proc = subprocess.Popen(['perl', os.path.join(HERE, 'mailspf_driver.pl'), '127.0.0.1', str(port), str(timeout)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    text = ''.join('%s %s %s %s\n' % (t.id, t.ip, t.sender, t.helo) for t in trees)
    stdout, _ = proc.communicate(text)
    return dict(line.split(' ', 1) for line in stdout.splitlines())


def run_nettool(nettool, tree, port, timeout):
    cmd = [nettool, 'spf', '--json', '--dns-server', '127.0.0.1:%d' % port, '--timeout', str(int(timeout * 1000)),
           '--tries', '1', '--ip', tree.ip, '--sender', tree.sender, '--helo', tree.helo]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    try:
        doc = json.loads(proc.stdout)
        return doc['result'], doc
    except (ValueError, KeyError):
        return 'crash:exit%d' % proc.returncode, {'stderr': proc.stderr}


def load_expectations(path):
    """Lines: ID nettool=R pyspf=R mailspf=R RFC-SECTION reason... ('#' starts a comment line)."""
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split()
            if len(parts) < 6 or not parts[4].startswith('RFC'):
                sys.exit('expectations: malformed line (needs ID, three results, the RFC section, a reason): ' + line)
            expected[parts[0]] = (tuple(parts[1:4]), ' '.join(parts[4:]))
    return expected


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('nettool')
    parser.add_argument('--seeds', default='1,2')
    parser.add_argument('--trees', type=int, default=200)
    parser.add_argument('--timeout', type=float, default=0.5)
    parser.add_argument("--reorder-every", type=int, default=3,
                        help='check every Nth tree again against a server that answers in another order')
    parser.add_argument('--expectations', default=os.path.join(HERE, 'differential-expectations.txt'))
    parser.add_argument('--show', help='print the records of one case (ID) and exit')
    parser.add_argument('--write-observed', help='write every disagreement in the expectations format to this file')
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(',')]
    trees = generate(seeds, args.trees)
    if args.show:
        for t in trees:
            if t.id == args.show:
                print('client', t.ip, 'sender', t.sender)
                print(json.dumps(t.zone, indent=1))
        return 0
    zone = {}
    for t in trees:
        for name, entries in t.zone.items():
            zone.setdefault(name, []).extend(entries)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        server, port = start_zone_server(zone, work)
        # The same zone answering each question after its own delay (0-80 ms): nettool's lookups sent ahead come
        # back in other orders, and its results must not change.
        jittery, jitter_port = start_zone_server(zone, work, jitter_ms=80)
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
                perls = [pool.submit(run_mailspf, trees[i::2], port, args.timeout) for i in range(2)]
                pys = [pool.submit(run_pyspf, trees[i::3], port, args.timeout) for i in range(1, 3)]
                net = {t.id: pool.submit(run_nettool, args.nettool, t, port, args.timeout) for t in trees}
                reordered = {t.id: pool.submit(run_nettool, args.nettool, t, jitter_port, args.timeout)
                             for t in trees[::args.reorder_every]}
                py = run_pyspf(trees[0::3], port, args.timeout)
                for f in pys:
                    py.update(f.result())
                mail = {}
                for f in perls:
                    mail.update(f.result())
                nettool = {k: f.result() for k, f in net.items()}
                reordered = {k: f.result() for k, f in reordered.items()}
        finally:
            for proc in (server, jittery):
                proc.send_signal(signal.SIGTERM)
                proc.wait()
    changed = [(k, nettool[k][0], r[0]) for k, r in reordered.items()
               if (r[0], r[1].get('reason'), r[1].get('void_lookups')) !=
               (nettool[k][0], nettool[k][1].get('reason'), nettool[k][1].get('void_lookups'))]
    expected = load_expectations(args.expectations)
    new, listed, either, both, void_cases = [], 0, 0, 0, 0
    observed = []
    for t in trees:
        n, doc = nettool[t.id]
        triple = ('nettool=' + n, 'pyspf=' + py.get(t.id, 'missing'), 'mailspf=' + mail.get(t.id, 'missing'))
        if doc.get('void_lookups'):
            void_cases += 1
        if n == py.get(t.id) and n == mail.get(t.id):
            continue
        either += 1
        if n != py.get(t.id) and n != mail.get(t.id):
            both += 1
        observed.append((t.id, triple))
        if t.id in expected and expected[t.id][0] == triple:
            listed += 1
            continue
        new.append((t, triple, doc))
    total = len(trees)
    print('%d policy trees (seeds %s), %.1f s; %d with void lookups' % (total, args.seeds,
                                                                       time.monotonic() - started, void_cases))
    print('nettool differs from at least one reference in %d (%.2f%%), from both in %d (%.2f%%); %d listed' %
          (either, 100.0 * either / total, both, 100.0 * both / total, listed))
    results = {}
    for t in trees:
        n, doc = nettool[t.id]
        reason = doc.get('reason', '')
        kind = ('lookup limit' if 'DNS lookups' in reason and 'void' not in reason else
                'void limit' if 'void DNS lookups' in reason else 'syntax' if 'syntax' in reason else n)
        results[kind] = results.get(kind, 0) + 1
    print('nettool results: ' + ', '.join('%s %d' % kv for kv in sorted(results.items())))
    stale = [k for k in expected if k not in dict(observed)]
    for k in stale:
        print('note: listed disagreement %s did not occur in this run' % k)
    if args.write_observed:
        with open(args.write_observed, 'w') as f:
            for case_id, triple in observed:
                reason = expected.get(case_id, ((), 'RFC? unexplained'))[1]
                f.write('%s %s %s\n' % (case_id, ' '.join(triple), reason))
    for t, triple, doc in new:
        print('NEW DISAGREEMENT %s %s' % (t.id, ' '.join(triple)))
        for domain, text in t.records:
            print('    %s: %s' % (domain, text))
        print('    nettool: %s (lookups %s, void %s)' % (doc.get('reason', doc.get('stderr', '')),
                                                        doc.get('lookups'), doc.get('void_lookups')))
    print('answers in another order (jitter 0-80 ms): %d trees checked again, %d results changed' %
          (len(reordered), len(changed)))
    for case_id, before, after in changed:
        print('REORDERED ANSWERS CHANGED %s: %s -> %s' % (case_id, before, after))
    return 1 if new or changed else 0


if __name__ == '__main__':
    sys.exit(main())
