PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO meta VALUES('instance','13e862a4021859df');
CREATE TABLE tree (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  last_poll INTEGER,
  last_error TEXT
);
INSERT INTO tree VALUES('fix','@TMP@/up',1795859000,NULL);
CREATE TABLE checkout (
  id INTEGER PRIMARY KEY,
  tree TEXT NOT NULL REFERENCES tree(name),
  branch TEXT NOT NULL,
  url TEXT NOT NULL,
  commit_hash TEXT NOT NULL,
  describe TEXT NOT NULL,
  version INTEGER,
  patchlevel INTEGER,
  sublevel INTEGER,
  extraversion TEXT,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  author_name TEXT,
  author_email TEXT,
  commit_time INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '',
  is_tip INTEGER NOT NULL DEFAULT 1,
  created INTEGER NOT NULL,
  tarball_state TEXT NOT NULL DEFAULT 'pending'
    CHECK (tarball_state IN ('pending', 'done', 'failed')),
  tarball_path TEXT,
  tarball_url TEXT,
  tarball_size INTEGER,
  tarball_sha256 TEXT,
  tarball_error TEXT,
  tarball_attempts INTEGER NOT NULL DEFAULT 0,
  tarball_next INTEGER,
  gen INTEGER NOT NULL DEFAULT 1,
  exported_gen INTEGER NOT NULL DEFAULT 0
);
INSERT INTO checkout VALUES(1,'fix','master','@TMP@/up','ac91433ab04eef2bc00341e4b891182140a8af7d','v6.1-1-gac91433',6,1,0,'-fixture','news: the first entry',replace('news: the first entry\n','\n',char(10)),'Test Author','author@example.org',1735689780,'',0,1795858999,'pending',NULL,NULL,NULL,NULL,NULL,0,NULL,2,0);
INSERT INTO checkout VALUES(2,'fix','stable','@TMP@/up','2a886070a1e2d8db712bb90ffe924ee8bd2bb40d','v6.1',6,1,0,'-fixture','Linux 6.1-fixture',replace('Linux 6.1-fixture\n','\n',char(10)),'Test Author','author@example.org',1735689660,'v6.1',1,1795858999,'pending',NULL,NULL,NULL,NULL,NULL,0,NULL,1,0);
INSERT INTO checkout VALUES(3,'fix','master','@TMP@/up','58c2879d53e4a4b5ff581113c2167a0d407b74f0','v6.1-2-g58c2879',6,1,0,'-fixture','news: the second entry',replace('news: the second entry\n','\n',char(10)),'Test Author','author@example.org',1735689960,'',1,1795859000,'pending',NULL,NULL,NULL,NULL,NULL,0,NULL,1,0);
CREATE TABLE branch_head (
  tree TEXT NOT NULL REFERENCES tree(name),
  branch TEXT NOT NULL,
  commit_hash TEXT NOT NULL,
  checkout_id INTEGER NOT NULL REFERENCES checkout(id),
  updated INTEGER NOT NULL,
  PRIMARY KEY (tree, branch)
);
INSERT INTO branch_head VALUES('fix','master','58c2879d53e4a4b5ff581113c2167a0d407b74f0',3,1795859000);
INSERT INTO branch_head VALUES('fix','stable','2a886070a1e2d8db712bb90ffe924ee8bd2bb40d',2,1795858999);
CREATE TABLE job (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('kbuild', 'test')),
  checkout_id INTEGER NOT NULL REFERENCES checkout(id),
  build_id INTEGER REFERENCES build(id),
  config_name TEXT NOT NULL,
  platform TEXT,
  runtime TEXT NOT NULL,
  definition TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
    ('pending', 'submitting', 'submitted', 'running', 'done',
     'failed-submit')),
  runtime_job_id TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  result TEXT CHECK (result IN ('pass', 'fail', 'skip', 'incomplete')),
  error_code TEXT,
  error_msg TEXT,
  created INTEGER NOT NULL,
  submitted INTEGER,
  started INTEGER,
  finished INTEGER,
  next_try INTEGER
);
CREATE TABLE build (
  id INTEGER PRIMARY KEY,
  checkout_id INTEGER NOT NULL REFERENCES checkout(id),
  job_id TEXT UNIQUE,
  config_name TEXT NOT NULL,
  arch TEXT,
  compiler TEXT,
  compiler_version TEXT,
  config_url TEXT,
  log_url TEXT,
  log_excerpt TEXT,
  start_time INTEGER,
  duration REAL,
  status TEXT CHECK (status IN
    ('PASS', 'FAIL', 'ERROR', 'MISS', 'DONE', 'SKIP')),
  artifacts TEXT,
  misc TEXT,
  gen INTEGER NOT NULL DEFAULT 1,
  exported_gen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE test (
  id INTEGER PRIMARY KEY,
  build_id INTEGER NOT NULL REFERENCES build(id),
  job_id TEXT,
  path TEXT NOT NULL,
  platform TEXT,
  compatible TEXT,
  status TEXT CHECK (status IN
    ('PASS', 'FAIL', 'ERROR', 'MISS', 'DONE', 'SKIP')),
  start_time INTEGER,
  duration REAL,
  log_url TEXT,
  log_excerpt TEXT,
  number_value REAL,
  number_unit TEXT,
  misc TEXT,
  gen INTEGER NOT NULL DEFAULT 1,
  exported_gen INTEGER NOT NULL DEFAULT 0,
  UNIQUE (job_id, path)
);
CREATE INDEX checkout_branch ON checkout(tree, branch, id);
CREATE INDEX job_state ON job(state, runtime);
CREATE INDEX job_checkout ON job(checkout_id);
CREATE INDEX build_checkout ON build(checkout_id);
CREATE INDEX test_build ON test(build_id);
COMMIT;
PRAGMA user_version = 1;
