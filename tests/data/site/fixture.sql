-- A site fixture: one branch, six checkouts.  Checkout 6 against 5 has a
-- regression, a build regression, a fix, a flaky test that fails again
-- (unstable), a test that always failed, a new failure, a new pass, a
-- result that appeared and one that disappeared.  Checkout 6's subject
-- tries to run script.
INSERT INTO tree (name, url) VALUES ('demo', 'https://git.example.org/demo.git');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
INSERT INTO checkout (id, tree, branch, url, commit_hash, describe, subject,
  message, author_name, commit_time, created, tarball_state, is_tip)
  SELECT i, 'demo', 'master', 'https://git.example.org/demo.git',
  printf('%040d', i), 'v6.1-' || i || '-gabc', 'commit ' || i, 'commit ' || i,
  'Dev <dev@example.org>', 1735689600 + i * 3600, 1735689600 + i * 3600 + 60,
  'done', i = 6 FROM n;
UPDATE checkout SET subject = '<img src=x onerror="window.__xss=1">',
  message = '<img src=x onerror="window.__xss=1">' WHERE id = 6;
-- builds: x86 passes; arm passes until checkout 6
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
INSERT INTO build (id, checkout_id, job_id, config_name, arch, compiler,
  kconfig, status, start_time, duration, log_excerpt, misc)
  SELECT i * 10 + 1, i, 'b' || i || '-x86', 'x86', 'x86_64', 'gcc',
  'defconfig', 'PASS', 1735689600 + i * 3600, 120, 'all good',
  '{"warnings":0,"reproducer":"make ARCH=x86_64 defconfig"}' FROM n
  UNION ALL
  SELECT i * 10 + 2, i, 'b' || i || '-arm', 'arm', 'arm64', 'gcc',
  'defconfig', CASE WHEN i = 6 THEN 'FAIL' ELSE 'PASS' END,
  1735689600 + i * 3600, 130, 'error: <b>broken</b> & more', '{"warnings":3}'
  FROM n;
-- tests on the x86 builds, platform qemu
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6)
INSERT INTO test (build_id, job_id, path, platform, status, start_time,
  duration, number_value, number_unit)
  SELECT i * 10 + 1, 't' || i, 'boot', 'qemu', 'PASS', 1, 1, NULL, NULL FROM n
  UNION ALL SELECT i * 10 + 1, 't' || i, 'smoke.regress', 'qemu',
    CASE WHEN i = 6 THEN 'FAIL' ELSE 'PASS' END, 1, 1, NULL, NULL FROM n
  UNION ALL SELECT i * 10 + 1, 't' || i, 'smoke.fixed', 'qemu',
    CASE WHEN i = 6 THEN 'PASS' ELSE 'FAIL' END, 1, 1, NULL, NULL FROM n
  UNION ALL SELECT i * 10 + 1, 't' || i, 'smoke.flaky', 'qemu',
    CASE WHEN i % 2 = 0 THEN 'FAIL' ELSE 'PASS' END, 1, 1, NULL, NULL FROM n
  UNION ALL SELECT i * 10 + 1, 't' || i, 'smoke.still', 'qemu', 'FAIL',
    1, 1, NULL, NULL FROM n
  UNION ALL SELECT i * 10 + 1, 't' || i, 'smoke.boot-time', 'qemu', 'PASS',
    1, 1, 2.5 + i / 10.0, 'seconds' FROM n
  UNION ALL SELECT 51, 't5', 'smoke.gone', 'qemu', 'PASS', 1, 1, NULL, NULL
  UNION ALL SELECT 61, 't6', 'smoke.new', 'qemu', 'FAIL', 1, 1, NULL, NULL
  UNION ALL SELECT 61, 't6', 'smoke.newpass', 'qemu', 'PASS', 1, 1, NULL, NULL
  UNION ALL SELECT 61, 't6', 'smoke.skipped', 'qemu', 'SKIP', 1, 1, NULL, NULL;
