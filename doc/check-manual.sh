#!/bin/sh
# doc/check-manual.sh -- check the manual that `make doc` built (run by `make doc-check` and CI).
# Usage: sh check-manual.sh SRCDOC BUILDDOC
#   SRCDOC    the doc/ directory of the sources (condense.tex, chapters/)
#   BUILDDOC  the doc/ directory of the build (condense.pdf, generated/)
# Checks:
#   1. every \chapter title of the sources appears in the text of condense.pdf (pdftotext);
#   2. every file the sources include (\input, \inputrows, \includegraphics, \VerbatimInput,
#      \lstinputlisting) exists -- sources in SRCDOC, generated files in BUILDDOC -- and every
#      generated one is newer than BUILDDOC/generated/stamp, written when `make doc` started;
#   3. condense.pdf itself is newer than the stamp;
#   4. every C identifier condense_... the chapters name is declared in a header of src/, and
#      every file src/... or tests/... they name exists (the notation table stays true).
# Prints the page count; exits 1 with one line per problem.
set -eu
src=${1:?usage: check-manual.sh SRCDOC BUILDDOC}
bld=${2:?usage: check-manual.sh SRCDOC BUILDDOC}
PDFTOTEXT=${PDFTOTEXT:-pdftotext}
PDFINFO=${PDFINFO:-pdfinfo}
pdf=$bld/condense.pdf
stamp=$bld/generated/stamp
fail=0
problem() {
    echo "check-manual: $*" >&2
    fail=1
}

[ -f "$stamp" ] || { echo "check-manual: no $stamp: run make doc first" >&2; exit 1; }
[ -f "$pdf" ] || { echo "check-manual: no $pdf: run make doc first" >&2; exit 1; }
[ -n "$(find "$pdf" -newer "$stamp")" ] || problem "$pdf is not newer than $stamp"

# The sources: the main file and the chapters it \inputs (in its order).
tex_files="$src/condense.tex"
for c in $(sed -n 's/^[^%]*\\input{\(chapters\/[^}]*\)}.*/\1/p' "$src/condense.tex"); do
    f=$src/$c.tex
    if [ -f "$f" ]; then tex_files="$tex_files $f"; else problem "missing chapter $f"; fi
done

# 1. Chapter titles in the PDF's text (whitespace normalized; pdftotext keeps ligatures as
#    separate letters with -enc UTF-8, and the titles are plain words).
text=$(mktemp)
trap 'rm -f "$text"' EXIT
"$PDFTOTEXT" -enc UTF-8 "$pdf" - | tr -s ' \t\n' '   ' >"$text"
nchap=0
for f in $tex_files; do
    sed -n 's/^[^%]*\\chapter{\(.*\)}.*$/\1/p' "$f" |
        sed 's/\\texorpdfstring{[^}]*}{\([^}]*\)}/\1/g; s/\\[a-zA-Z]*//g; s/[{}$]//g' >"$text.titles"
    while IFS= read -r title; do
        [ -n "$title" ] || continue
        nchap=$((nchap + 1))
        grep -qF -- "$title" "$text" || problem "chapter title not found in the PDF: '$title' ($f)"
    done <"$text.titles"
    rm -f "$text.titles"
done
[ "$nchap" -gt 0 ] || problem "no \\chapter found in the sources"

# 2. Included files: exist, and generated ones are newer than the stamp.
nincl=0
for f in $tex_files; do
    sed -n 's/%.*//; s/\\\(input\|inputrows\|includegraphics\|VerbatimInput\|lstinputlisting\)\(\[[^]]*\]\)\{0,1\}{\([^}]*\)}/\n@@\1 \3\n/gp' "$f" |
        sed -n 's/^@@//p' >"$text.incl"
    while read -r cmd name; do
        nincl=$((nincl + 1))
        case $cmd in input | inputrows) case $name in *.tex) ;; *) name=$name.tex ;; esac ;; esac
        case $name in
        generated/*)
            path=$bld/$name
            if [ ! -f "$path" ]; then
                problem "\\$cmd{$name} in $f: $path does not exist"
            elif [ -z "$(find "$path" -newer "$stamp")" ]; then
                problem "\\$cmd{$name} in $f: $path is older than the build's stamp (stale)"
            fi
            ;;
        *)
            path=$src/$name
            [ -f "$path" ] || problem "\\$cmd{$name} in $f: $path does not exist"
            ;;
        esac
    done <"$text.incl"
    rm -f "$text.incl"
done

# 4. Identifiers and files named in the text exist in the sources.
top=$src/..
nid=0
for id in $(cat $tex_files | sed 's/%.*//' | grep -o 'condense\\_[a-zA-Z0-9\\_]*' | sed 's/\\_/_/g' | sort -u); do
    case $id in *_NAME | *_ | *_MODULE | *_RESULT | *\\*) continue ;; esac
    nid=$((nid + 1))
    grep -qw "$id" "$top"/src/condense/*.h "$top"/src/*.h 2>/dev/null ||
        problem "the manual names $id, which no header in src/ declares"
done
for f in $(cat $tex_files | sed 's/%.*//' | grep -o '\(src\|tests\|proofs\)/[a-zA-Z0-9\\_/]*\.\(c\|h\|sh\)' | sed 's/\\_/_/g' | sort -u); do
    case $f in *NAME* | *MODULE* | *RESULT*) continue ;; esac
    [ -f "$top/$f" ] || problem "the manual names $f, which does not exist"
done

pages=$("$PDFINFO" "$pdf" | sed -n 's/^Pages: *//p')
if [ "$fail" -ne 0 ]; then
    echo "check-manual: FAILED ($pdf)" >&2
    exit 1
fi
echo "check-manual: $pdf: $pages pages, $nchap chapter titles found, $nincl included files present and fresh, $nid identifiers declared"
