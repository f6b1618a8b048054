"""report.py RESULTS.TSV: the Markdown report of one bench/run.sh run (stdout)."""
import statistics
import sys
from collections import defaultdict

class _Names(dict):
    def __missing__(self, key):
        return key


NAMES = _Names({'nc': 'nc.openbsd', 'tsnc': 'tsnc', 'tsnc-cli': 'tsnc (dist/cli.js)', 'nc-self': 'nc.openbsd (self-test)'})
RSS_LIMIT_KIB = 50 * 1024
THROUGHPUT_TARGET = {'pipe': 1.0, 'file': 1.0, 'vpipe': 1.2, 'vfile': 1.2}

meta, labels, checks, skips, na = {}, {}, {}, {}, defaultdict(dict)
thr = defaultdict(lambda: defaultdict(list))  # scen -> impl -> [row]
hf = defaultdict(lambda: defaultdict(list))  # scen -> label -> [(round, median_s, codes)]
keep = defaultdict(list)
zdrop = defaultdict(list)
serve = defaultdict(list)  # impl -> [row]
relay = defaultdict(lambda: defaultdict(list))  # scen -> impl -> [row]

for line in open(sys.argv[1]):
    f = line.rstrip('\n').split('\t')
    kind = f[0]
    if kind == 'meta':
        meta[f[1]] = f[2]
    elif kind == 'label':
        labels[f[1]] = f[2]
    elif kind == 'check':
        checks[(f[1], f[2])] = (f[3] == '1', f[4] if len(f) > 4 else '')
    elif kind == 'skip':
        skips[f[1]] = f[2]
    elif kind == 'na':
        na[f[1]][f[2]] = f[3]
    elif kind == 'thr':
        scen, impl, rnd, wall, rss_rx, rss_tx, cpu_rx, cpu_tx, nbytes, ok = f[1:11]
        thr[scen][impl].append(dict(round=int(rnd), wall=float(wall) if wall != '-' else None,
                                    rss_rx=int(rss_rx) if rss_rx != '-' else None,
                                    rss_tx=int(rss_tx) if rss_tx != '-' else None,
                                    cpu_rx=float(cpu_rx) if cpu_rx != '-' else None,
                                    cpu_tx=float(cpu_tx) if cpu_tx != '-' else None,
                                    bytes=int(nbytes), ok=ok == '1', note=f[11] if len(f) > 11 else ''))
    elif kind == 'hf':
        hf[f[1]][f[3]].append((int(f[2]), float(f[4]), f[5] if len(f) > 5 else ''))
    elif kind == 'keep':
        impl, rnd, secs, hwm, cpu, ok = f[1:7]
        keep[impl].append(dict(round=int(rnd), secs=float(secs) if secs != '-' else None,
                               hwm=int(hwm) if hwm not in ('-', '') else None,
                               cpu=float(cpu) if cpu not in ('-', '') else None, ok=ok == '1',
                               note=f[7] if len(f) > 7 else ''))
    elif kind == 'serve':
        impl, rnd, stalled, secs, nbytes, rss, ok = f[1:8]
        serve[impl].append(dict(round=int(rnd), stalled=int(stalled), secs=float(secs) if secs != '-' else None,
                                bytes=int(nbytes) if nbytes != '-' else None,
                                rss=int(rss) if rss not in ('-', '') else None, ok=ok == '1',
                                note=f[8] if len(f) > 8 else ''))
    elif kind == 'relay':
        scen, impl, rnd, value, extra1, extra2, ok = f[1:8]
        num = lambda x: float(x) if x not in ('-', '') else None
        relay[scen][impl].append(dict(round=int(rnd), value=num(value), extra1=num(extra1), extra2=num(extra2),
                                      ok=ok == '1', note=f[8] if len(f) > 8 else ''))
    elif kind == 'zdrop':
        impl, rnd, secs, ports, st, ok = f[1:7]
        zdrop[impl].append(dict(round=int(rnd), secs=float(secs), ports=int(ports), st=st, ok=ok == '1',
                                note=f[7] if len(f) > 7 else ''))

impls = meta.get('impls', 'nc tsnc').split()
NAMES['tsnc'] = 'tsnc (%s)' % meta.get('bin', 'dist/tsnc.cjs')
cands = [i for i in impls if i != 'nc']


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def mib(kib):
    return '–' if kib is None else '%.1f' % (kib / 1024)


def rss_pair(rows):
    if not rows:
        return '–'
    return '%s / %s MiB' % (mib(max_(r['rss_rx'] for r in rows)), mib(max_(r['rss_tx'] for r in rows)))


def max_(xs):
    xs = [x for x in xs if x is not None]
    return max(xs) if xs else None


def good(rows):
    return [r for r in rows if r['ok'] and r['wall'] is not None]


def verdict(ok):
    return 'n/a' if ok is None else ('**yes**' if ok else '**NO**')


rows_out = []  # (scenario, build, reference, tsnc, ratio, target, met, rss_ref, rss_tsnc)
details = []
notes = []

# -- throughput --------------------------------------------------------------------------------
for scen in ['pipe', 'file', 'vpipe', 'vfile', 'small', 'slow']:
    if scen in skips:
        rows_out.append((labels.get(scen, scen), 'all', 'skipped', skips[scen], '', '', 'n/a', '', ''))
        continue
    if scen not in labels:
        continue
    base = good(thr[scen]['nc'])
    base_wall = med(r['wall'] for r in base)
    for impl in cands:
        rows = thr[scen][impl]
        ok_rows = good(rows)
        check = checks.get((scen, impl))
        bad = [r for r in rows if not r['ok']]
        if check and not check[0]:
            rows_out.append((labels[scen], NAMES[impl], '', 'WRONG OUTPUT: ' + check[1], '', '', '**NO**', '', ''))
            continue
        for r in bad:
            notes.append('%s, %s, round %d: %s' % (labels[scen], NAMES[impl], r['round'], r['note']))
        wall = med(r['wall'] for r in ok_rows)
        if wall is None or base_wall is None:
            rows_out.append((labels[scen], NAMES[impl], '', 'no valid run', '', '', 'n/a', '', ''))
            continue
        nbytes = ok_rows[0]['bytes']
        speed = lambda w: '%.0f MiB/s (%.2f s)' % (nbytes / w / 2**20, w)
        # The ratio is the median of the per-round ratios: within a round both ran back to back, so
        # drift of the machine's load cancels (the ratio of the two medians is in the details).
        by_round = {r['round']: r['wall'] for r in base}
        pair = [by_round[r['round']] / r['wall'] for r in ok_rows if r['round'] in by_round]
        ratio = statistics.median(pair) if pair else base_wall / wall
        rss_max = max_([max_(r['rss_rx'] for r in ok_rows), max_(r['rss_tx'] for r in ok_rows)])
        if scen in THROUGHPUT_TARGET:
            t = THROUGHPUT_TARGET[scen]
            target = '≥ %.1f× speed; RSS ≤ 50 MiB' % t
            met = ratio >= t and rss_max is not None and rss_max <= RSS_LIMIT_KIB
        else:
            target = 'RSS ≤ 50 MiB'
            met = rss_max is not None and rss_max <= RSS_LIMIT_KIB
        rows_out.append((labels[scen], NAMES[impl], speed(base_wall), speed(wall), '%.2f× speed' % ratio, target,
                         verdict(met), rss_pair(base), rss_pair(ok_rows)))
        details.append((labels[scen], NAMES[impl], len(ok_rows),
                        '[%.2f–%.2f]; ratio of medians %.2f' % (min(pair), max(pair), base_wall / wall) if pair else '–',
                        '%.2f / %.2f' % (med(r['cpu_rx'] for r in ok_rows), med(r['cpu_tx'] for r in ok_rows)),
                        '%.2f / %.2f' % (med(r['cpu_rx'] for r in base), med(r['cpu_tx'] for r in base)),
                        '%.2f' % ((med(r['cpu_rx'] for r in ok_rows) + med(r['cpu_tx'] for r in ok_rows)) /
                                  (med(r['cpu_rx'] for r in base) + med(r['cpu_tx'] for r in base)))))

# -- memory: the same for 20 MiB, 2 GiB and a slow consumer ----------------------------------------
mem_rows = []
nc_mem = {}
def _size(key):
    b = int(meta.get('sizes', '').split(key + '=')[1].split()[0]) if key + '=' in meta.get('sizes', '') else 0
    return '%d GiB' % (b >> 30) if b >= 1 << 30 else '%d MiB' % (b >> 20)


mem_label = '%s / %s / %s into pv -L' % (_size('small'), _size('pipe'), _size('slow'))
for impl in sorted(impls, key=lambda i: i != 'nc'):
    vals = {}
    for scen in ['small', 'pipe', 'slow']:
        ok_rows = good(thr[scen][impl])
        vals[scen] = max_([max_(r['rss_rx'] for r in ok_rows), max_(r['rss_tx'] for r in ok_rows)])
    if all(v is None for v in vals.values()):
        continue
    mem_rows.append((impl, vals))
    if impl == 'nc':
        nc_mem = vals
        continue
    present = [v for v in vals.values() if v is not None]
    small = vals['small']
    same = small is not None and all(v <= small * 1.10 + 1024 for v in present)
    met = max(present) <= RSS_LIMIT_KIB and same
    ref = ' / '.join(mib(nc_mem.get(x)) for x in ('small', 'pipe', 'slow')) + ' MiB' if nc_mem else '–'
    rows_out.append(('peak RSS, larger side: %s' % mem_label, NAMES[impl], ref,
                     ' / '.join(mib(vals[x]) for x in ('small', 'pipe', 'slow')) + ' MiB', '',
                     '≤ 50 MiB, and large = small (±10 %)', verdict(met), '', ''))

# -- start-up ----------------------------------------------------------------------------------------


def hf_med(scen, label):
    xs = hf[scen].get(label)
    return statistics.median(m for _, m, _ in xs) if xs else None


def hf_pair(scen, a, b):
    """median over rounds of median(a)/median(b) within the round."""
    ra = {r: m for r, m, _ in hf[scen].get(a, [])}
    rb = {r: m for r, m, _ in hf[scen].get(b, [])}
    xs = [ra[r] / rb[r] for r in ra if r in rb]
    return statistics.median(xs) if xs else None


if 'startup' in labels:
    node0 = hf_med('startup', 'node -e 0')
    ncz = hf_med('startup', 'nc -z')
    for impl in cands:
        z = hf_med('startup', impl + ' -z')
        if z is None:
            reason = na['startup'].get(impl, 'no result')
            rows_out.append(('start-up: `-z` open port, vs `node -e 0`', NAMES[impl],
                             '%.1f ms' % (node0 * 1000) if node0 else '–', reason, '', '≤ 1.5× time', 'n/a', '', ''))
        else:
            ratio = hf_pair('startup', impl + ' -z', 'node -e 0')
            rows_out.append(('start-up: `-z` open port, vs `node -e 0`', NAMES[impl], '%.1f ms' % (node0 * 1000),
                             '%.1f ms' % (z * 1000), '%.2f× time' % ratio, '≤ 1.5× time', verdict(ratio <= 1.5), '', ''))
            rows_out.append(('start-up: `-z` open port, vs `nc -z`', NAMES[impl], '%.1f ms' % (ncz * 1000),
                             '%.1f ms' % (z * 1000), '%.1f× time' % hf_pair('startup', impl + ' -z', 'nc -z'),
                             '(info)', '', '', ''))
        c = hf_med('startup', impl + ' connect')
        if c is not None and node0:
            rows_out.append(('start-up: connect + empty stdin, open port, vs `node -e 0`', NAMES[impl],
                             '%.1f ms' % (node0 * 1000), '%.1f ms' % (c * 1000),
                             '%.2f× time' % hf_pair('startup', impl + ' connect', 'node -e 0'), '(info)', '', '', ''))

# -- -k -----------------------------------------------------------------------------------------------
if 'keep' in labels:
    base = [r for r in keep['nc'] if r['ok']]
    bsecs = med(r['secs'] for r in base)
    n = int(meta.get('sizes', 'keep=2000').split('keep=')[1].split()[0])
    for impl in cands:
        rows = [r for r in keep[impl] if r['ok']]
        for r in keep[impl]:
            if not r['ok']:
                notes.append('-k, %s, round %d: %s' % (NAMES[impl], r['round'], r['note']))
        secs = med(r['secs'] for r in rows)
        if secs is None or bsecs is None:
            rows_out.append((labels['keep'], NAMES[impl], '', 'no valid run', '', '≥ 0.5× rate', 'n/a', '', ''))
            continue
        by_round = {r['round']: r['secs'] for r in base}
        pair = [by_round[r['round']] / r['secs'] for r in rows if r['round'] in by_round]
        ratio = statistics.median(pair) if pair else bsecs / secs
        rss = max_(r['hwm'] for r in rows)
        rows_out.append((labels['keep'], NAMES[impl], '%.0f conn/s (%.3f s)' % (n / bsecs, bsecs),
                         '%.0f conn/s (%.3f s)' % (n / secs, secs), '%.2f× rate' % ratio, '≥ 0.5× rate',
                         verdict(ratio >= 0.5), '%s MiB' % mib(max_(r['hwm'] for r in base)), '%s MiB' % mib(rss)))
        details.append((labels['keep'], NAMES[impl], len(rows),
                        '[%.2f–%.2f]; ratio of medians %.2f' % (min(pair), max(pair), bsecs / secs) if pair else '–',
                        'listener %.2f s' % med(r['cpu'] for r in rows),
                        'listener %.2f s' % med(r['cpu'] for r in base), ''))

# -- --serve with stalled clients ---------------------------------------------------------------------
SERVE_SLACK_KIB = 64 * 1024
if 'serve' in labels:
    for impl in cands:
        rows = serve[impl]
        for r in rows:
            if not r['ok']:
                notes.append('--serve, %s, round %d, %d stalled: %s' % (NAMES[impl], r['round'], r['stalled'], r['note']))
        alone = [r for r in rows if r['ok'] and r['stalled'] == 0]
        crowd = [r for r in rows if r['ok'] and r['stalled'] > 0]
        if not alone or not crowd:
            rows_out.append((labels['serve'], NAMES[impl], '', 'no valid run', '', 'peak ≤ 1-client peak + 64 MiB',
                             'n/a', '', ''))
            continue
        nbytes, stalled = crowd[0]['bytes'], crowd[0]['stalled']
        peak1, peakn = max_(r['rss'] for r in alone), max_(r['rss'] for r in crowd)
        s1, sn = med(r['secs'] for r in alone), med(r['secs'] for r in crowd)
        by_round = {r['round']: r['secs'] for r in alone}
        pair = [by_round[r['round']] / r['secs'] for r in crowd if r['round'] in by_round]
        ratio = statistics.median(pair) if pair else s1 / sn
        per_client = (peakn - peak1) / stalled
        rows_out.append((labels['serve'], NAMES[impl],
                         '1 client alone: %.0f MiB/s, peak %s MiB' % (nbytes / s1 / 2**20, mib(peak1)),
                         'reader %.0f MiB/s, peak %s MiB, %+.0f KiB per stalled client' %
                         (nbytes / sn / 2**20, mib(peakn), per_client),
                         '%.2f× speed' % ratio, 'peak ≤ 1-client peak + 64 MiB',
                         verdict(peakn <= peak1 + SERVE_SLACK_KIB), '%s MiB' % mib(peak1), '%s MiB' % mib(peakn)))

# -- -z over closed ports -------------------------------------------------------------------------------
if 'zclosed' in labels:
    if 'zclosed' in skips:
        rows_out.append((labels['zclosed'], 'all', 'skipped', skips['zclosed'], '', '', 'n/a', '', ''))
    else:
        ncz = hf_med('zclosed', 'nc -z')
        for impl in cands:
            z = hf_med('zclosed', impl + ' -z')
            if z is None:
                rows_out.append((labels['zclosed'], NAMES[impl], '%.1f ms' % (ncz * 1000) if ncz else '–',
                                 na['zclosed'].get(impl, 'no result'), '', '≤ 120 ms', 'n/a', '', ''))
            else:
                rows_out.append((labels['zclosed'], NAMES[impl], '%.1f ms' % (ncz * 1000), '%.1f ms' % (z * 1000),
                                 '%.1f× time' % hf_pair('zclosed', impl + ' -z', 'nc -z'), '≤ 120 ms',
                                 verdict(z <= 0.120), '', ''))

# -- -z -w 1 over dropping ports ------------------------------------------------------------------------
if 'zdrop' in labels:
    if 'zdrop' in skips:
        rows_out.append((labels['zdrop'], 'all', 'skipped', skips['zdrop'], '', '', 'n/a', '', ''))
    else:
        base = [r for r in zdrop['nc'] if r['ok']]
        zd_ports = int(meta.get('sizes', 'zd=256').split('zd=')[1].split()[0])
        ref = '–'
        if base:
            per_port = med(r['secs'] / r['ports'] for r in base)
            ref = '≈ %.0f s (%d ports took %.1f s)' % (per_port * zd_ports, base[0]['ports'],
                                                       med(r['secs'] for r in base))
        for impl in cands:
            rows = zdrop[impl]
            okr = [r for r in rows if r['ok']]
            for r in rows:
                if not r['ok']:
                    notes.append('-z -w 1, %s, round %d: %s' % (NAMES[impl], r['round'], r['note']))
            if not rows:
                rows_out.append((labels['zdrop'], NAMES[impl], ref, na['zdrop'].get(impl, 'no result'), '',
                                 '≤ 10 s', 'n/a', '', ''))
            elif not okr:
                rows_out.append((labels['zdrop'], NAMES[impl], ref, rows[0]['note'], '', '≤ 10 s', '**NO**', '', ''))
            else:
                s = med(r['secs'] for r in okr)
                rows_out.append((labels['zdrop'], NAMES[impl], ref, '%.2f s' % s, '', '≤ 10 s', verdict(s <= 10), '',
                                 ''))

# -- print ------------------------------------------------------------------------------------------------
print('## tsnc vs nc.openbsd (bench/run.sh)')
print()
print('%s; node %s; netcat-openbsd %s; tsnc commit %s; quick=%s; %s timed rounds per throughput scenario, '
      'implementations alternated (A B B A …); medians of each; a ratio is the median of the per-round '
      'ratios. `NODE_EXTRA_CA_CERTS` and `NODE_OPTIONS` unset for every command. Speed ratio > 1: tsnc is '
      'faster.' % (meta.get('host', '?'), meta.get('node', '?'),
                                                            meta.get('nc', '?'), meta.get('commit', '?'),
                                                            meta.get('quick', '?'), meta.get('rounds', '?')))
print()
print('| Scenario | tsnc build | Reference | tsnc | Ratio | Target | Met | Peak RSS ref. rx / tx | Peak RSS tsnc rx / tx |')
print('|---|---|---|---|---|---|---|---|---|')
for r in rows_out:
    print('| ' + ' | '.join(r) + ' |')
print()
print('Reference is nc.openbsd, except in the `vs node -e 0` rows. Every implementation did one untimed full-size '
      'run first whose received bytes were counted (sha256-checked for the loopback file); the slow-consumer and '
      'RSS-reference runs count bytes in every round.')
if details:
    print()
    print('| Details | tsnc build | valid rounds | per-round ratio [min–max] | CPU s tsnc rx / tx | '
          'CPU s nc.openbsd rx / tx | CPU tsnc / nc.openbsd |')
    print('|---|---|---|---|---|---|---|')
    for d in details:
        print('| ' + ' | '.join(str(x) for x in d) + ' |')
if na:
    print()
    for scen, by in na.items():
        for impl, reason in by.items():
            print('- %s, %s: %s' % (labels.get(scen, scen), NAMES.get(impl, impl), reason))
if notes:
    print()
    print('Failed runs (excluded from the medians):')
    for n in notes:
        print('- ' + n)

# -- relay: tsnc --relay vs socat fork / ncat --sh-exec (its own table: other references) ------------------
if any(k in labels for k in ('relaythr', 'relayrate', 'relayidle')):
    RELAY_NAMES = {'socat': 'socat TCP-LISTEN:P,fork TCP:…', 'ncat': 'ncat -k --sh-exec "ncat …"'}
    sizes = meta.get('sizes', '')
    size_of = lambda key, default: int(sizes.split(key + '=')[1].split()[0]) if key + '=' in sizes else default
    out = []
    relay_notes = []
    def ok_rows(scen, impl):
        rows = relay[scen][impl]
        for r in rows:
            if not r['ok']:
                relay_notes.append('%s, %s, round %d: %s' % (labels[scen], impl, r['round'], r['note']))
        return [r for r in rows if r['ok'] and r['value'] is not None]
    def paired(scen, ref, faster_is_smaller=True):
        t, b = ok_rows(scen, 'tsnc'), ok_rows(scen, ref)
        by_round = {r['round']: r['value'] for r in b}
        pair = [by_round[r['round']] / r['value'] for r in t if r['round'] in by_round]
        return t, b, (statistics.median(pair) if pair else None), pair
    for scen, unit in (('relaythr', 'speed'), ('relayrate', 'rate')):
        if scen not in labels:
            continue
        n = size_of('relay', 2 << 30) if scen == 'relaythr' else size_of('relayconns', 2000)
        for ref in ('socat', 'ncat'):
            if scen == 'relaythr' and ref == 'ncat':
                continue
            if ('relay-' + ref) in skips:
                out.append((labels[scen], RELAY_NAMES[ref], 'skipped', skips['relay-' + ref], '', '≥ 1.0× ' + unit, 'n/a'))
                continue
            t, b, ratio, pair = paired(scen, ref)
            tv, bv = med(r['value'] for r in t), med(r['value'] for r in b)
            if tv is None or bv is None or ratio is None:
                out.append((labels[scen], RELAY_NAMES[ref], '', 'no valid run', '', '≥ 1.0× ' + unit, 'n/a'))
                continue
            fmt = ((lambda v: '%.0f MiB/s (%.2f s)' % (n / v / 2**20, v)) if scen == 'relaythr'
                   else (lambda v: '%.0f conn/s (%.3f s)' % (n / v, v)))
            hwm = max_(r['extra1'] for r in t)
            # extra2 (relaythr): tsnc's highest RSS in the second half of the transfer, sampled.
            late = max_(r['extra2'] for r in t) if scen == 'relaythr' else None
            rss = ('; peak RSS %s MiB' % mib(hwm) if hwm else '') + (
                ' (second half of the transfer: %s MiB)' % mib(late) if late else '')
            out.append((labels[scen], RELAY_NAMES[ref], fmt(bv), fmt(tv) + rss,
                        '%.2f× %s [%.2f–%.2f]' % (ratio, unit, min(pair), max(pair)), '≥ 1.0× ' + unit,
                        verdict(ratio >= 1.0)))
    if 'relayidle' in labels:
        n = size_of('relayidle', 1000)
        t, b = ok_rows('relayidle', 'tsnc'), ok_rows('relayidle', 'socat')
        per = lambda r: (r['value'] - (r['extra1'] or 0)) / n
        if t and b:
            tr, br = t[0], b[0]
            out.append((labels['relayidle'], RELAY_NAMES['socat'],
                        '%s MiB RSS in its processes (PSS %s MiB, %.0f KiB per connection): %.0f KiB per connection' % (mib(br['value']), mib(br['extra2'] or 0), (br['extra2'] or 0) / n, br['value'] / n),
                        '%s MiB RSS, one process (PSS %s MiB, %.0f KiB per connection): %.1f KiB per connection above its %s MiB at rest' % (mib(tr['value']), mib(tr['extra2'] or 0), (tr['extra2'] or 0) / n, per(tr), mib(tr['extra1'] or 0)),
                        # RSS counts the pages socat's children share once in each; PSS splits them.
                        '%.1f× less RSS, %.1f× less PSS' % (br['value'] / tr['value'], (br['extra2'] or 0) / (tr['extra2'] or 1)),
                        '≤ 64 KiB per connection, below socat',
                        verdict(per(tr) <= 64 and tr['value'] < br['value'] and (tr['extra2'] or 0) < (br['extra2'] or 0))))
        else:
            out.append((labels['relayidle'], RELAY_NAMES['socat'], '', 'no valid run', '', '≤ 64 KiB per connection', 'n/a'))
    print()
    print('## tsnc --relay vs socat fork and ncat --sh-exec (bench/run.sh, relay rows)')
    print()
    print('The same client and backend for every forwarder; rounds alternated; a ratio is the median of the '
          'per-round ratios [min–max]. socat and ncat run a process per connection (socat forks, ncat execs a '
          'second ncat); tsnc serves every connection in one process.')
    print()
    print('| Scenario | Reference | Reference figure | tsnc --relay | Ratio | Target | Met |')
    print('|---|---|---|---|---|---|---|')
    for r in out:
        print('| ' + ' | '.join(r) + ' |')
    if relay_notes:
        print()
        print('Failed relay runs (excluded):')
        for n_ in relay_notes:
            print('- ' + n_)
