#!/bin/sh
# Issue 12, item 9: a commit subject with invalid UTF-8 or a control
# character made the Atom feeds invalid XML, and the HTML pages carried
# the raw bytes.  Every document written is valid in its format (UTF-8,
# and XML's character rules), whatever the input.
. "$(dirname "$0")/lib.sh"

up=$TMP/up
fixture_repo "$up"
# a subject and body with a NUL-free mix of what XML and HTML forbid
msg=$(printf 'bad \001\002\033[31mred\033[0m \377\376 \357\277\276 \302\205 ]]> &amp; <b>\n\nbody \013\014 \355\240\200')
commit "$up" "$msg"
git -C "$up" tag "v6.1-$(printf '\302\233')x"
config_dir
{
	yaml_tree fix "$up" master
	yaml_x86_build
	echo 'settings2: {}'
} >"$TMP/configs/c.yaml"
sed -i '/^settings2/d' "$TMP/configs/c.yaml"
settings_add 'site:' '  base_url: https://ci.example.org/maestrino'
C="-c $TMP/configs"
check_rc 0 "a run over a commit with a hostile subject" maestrino $C run --wait
P=$TMP/public
check "every feed and badge is well-formed XML (expat)" /usr/bin/python3 -c '
import glob, sys, xml.dom.minidom
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/feeds/*.atom") +
                glob.glob(sys.argv[1] + "/badges/**/*.svg", recursive=True)):
    try:
        xml.dom.minidom.parse(f)
    except Exception as e:
        print(f, e); bad += 1
sys.exit(1 if bad else 0)' "$P"
check "every HTML page is valid UTF-8 and HTML5 (html5lib, strict)" \
    /usr/bin/python3 -c '
import glob, sys, html5lib
bad = 0
for f in sorted(glob.glob(sys.argv[1] + "/**/*.html", recursive=True)):
    raw = open(f, "rb").read()
    try:
        raw.decode("utf-8")
        html5lib.HTMLParser(strict=True).parse(raw)
    except Exception as e:
        print(f, e); bad += 1
    for c in raw.decode("utf-8", "replace"):
        o = ord(c)
        if (o < 32 and c not in "\t\n\r") or 0x7f <= o <= 0x9f or o in (0xfffe, 0xffff):
            print(f, "holds U+%04X" % o); bad += 1; break
sys.exit(1 if bad else 0)' "$P"
check "every JSON twin is valid JSON" /usr/bin/python3 -c '
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/api/**/*.json", recursive=True):
    json.load(open(f, encoding="utf-8"))' "$P"
has "the subject is still shown, what was bad replaced" "$P/feeds/fix.atom" \
    "red"
has "feed links carry the base URL with its slash" "$P/feeds/fix.atom" \
    "https://ci.example.org/maestrino/c/"
hasnt "and never lose it" "$P/feeds/fix.atom" "maestrinoc/"
done_testing
