#!/bin/sh
# Rebuild every file under testdata/sp2, testdata/sp3 and testdata/pe from testdata/src and
# testdata/exchange55-files.tsv (the list of files and versions of the two bin folders).
#
# Needs the Debian packages gcc-mingw-w64-i686 and binutils-mingw-w64-i686 (i686 compiler
# and windres); pe/amd64.dll also needs gcc-mingw-w64-x86-64 (skipped with a warning if
# x86_64-w64-mingw32-gcc is absent). Run it as `make testdata`. The output is byte-for-byte
# reproducible: no link timestamp, no symbols, fixed image base, no exports, no CRT.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$here/src
CC32=${CC32:-i686-w64-mingw32-gcc}
RC32=${RC32:-i686-w64-mingw32-windres}
CC64=${CC64:-x86_64-w64-mingw32-gcc}
RC64=${RC64:-x86_64-w64-mingw32-windres}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

CFLAGS="-Os -s -nostdlib -nostartfiles -ffreestanding -fno-asynchronous-unwind-tables
        -fno-ident -Wl,--no-insert-timestamp -Wl,--exclude-all-symbols"

# link ARCH KIND RCFILE OUT: compile exe.c or dll.c with the resource script RCFILE.
link() {
    arch=$1 kind=$2 rc=$3 out=$4
    case $arch in
        i386)  cc=$CC32 rcc=$RC32 exe_entry=_entry dll_entry=_DllMain@12 base=0x10000000 ;;
        amd64) cc=$CC64 rcc=$RC64 exe_entry=entry  dll_entry=DllMain     base=0x180000000 ;;
    esac
    name=$(basename "$out")
    "$rcc" -I "$work" -I "$src" -O coff -i "$rc" -o "$work/res.o"
    case $kind in
        exe) "$cc" $CFLAGS -e "$exe_entry" -o "$work/$name" "$src/exe.c" "$work/res.o" ;;
        dll) "$cc" $CFLAGS -shared -e "$dll_entry" -Wl,--image-base,$base \
                 -o "$work/$name" "$src/dll.c" "$work/res.o" ;;
    esac
    mkdir -p "$(dirname "$out")"
    cp "$work/$name" "$out"
    echo "built $out"
}

# versioned ARCH OUT FIXED FILESTR PRODSTR DESC COMPANY PRODUCT COPYRIGHT:
# write verinfo.h for version.rc (US English table) and link. FIXED is dotted "a.b.c.d".
versioned() {
    arch=$1 out=$2 fixed=$3 filestr=$4 prodstr=$5 desc=$6 company=$7 product=$8 copyright=$9
    name=$(basename "$out")
    case $name in *.exe|*.EXE) kind=exe type=0x1L ;; *) kind=dll type=0x2L ;; esac
    cat > "$work/verinfo.h" <<HDR
#define VER_FILE        $(echo "$fixed" | tr . ,)
#define VER_PRODUCT     $(echo "$fixed" | tr . ,)
#define VER_FILETYPE    $type
#define VER_FILE_STR    "$filestr"
#define VER_PRODUCT_STR "$prodstr"
#define VER_DESCRIPTION "$desc"
#define VER_COMPANY     "$company"
#define VER_PRODUCTNAME "$product"
#define VER_COPYRIGHT   "$copyright"
#define VER_INTERNAL    "${name%.*}"
#define VER_ORIGINAL    "$name"
HDR
    link "$arch" "$kind" "$src/version.rc" "$out"
}

# data_file NAME SP OUT: a few lines of invented text standing in for an Exchange data file.
# The nine data files of Q236586 are copied from src/data; the others are written here.
data_file() {
    name=$1 sp=$2 out=$3
    if [ -f "$src/data/$name" ]; then
        cp "$src/data/$name" "$out"
        return
    fi
    base=${name%.*}
    stamp="Exchange Server 5.5 $(echo "$sp" | tr a-z A-Z) example folder"
    case $(echo "${name##*.}" | tr A-Z a-z) in
        asp) printf '%s\n' "<%@ LANGUAGE=VBScript %>" \
                 "<% ' verfix test data: stand-in for an Outlook Web Access page (invented content) %>" \
                 "<% ' $stamp %>" "<html><body><p>$base</p></body></html>" ;;
        inc) printf '%s\n' "<% ' verfix test data: stand-in for an Outlook Web Access include file (invented content)" \
                 "' $stamp" "Const INC_${base} = \"$base\"" "%>" ;;
        tpl) printf '%s\n' "; verfix test data: stand-in for an X.400 address template (invented content)" \
                 "; $stamp" "[Template]" "Name=$base" "Fields=4" ;;
        dxa) printf '%s\n' "; verfix test data: stand-in for a connector directory template (invented content)" \
                 "; $stamp" "[Directory]" "Template=$base" "Attributes=6" ;;
        msg) printf '%s\n' "; verfix test data: stand-in for a connector message table (invented content)" \
                 "; $stamp" "1000=Connector $base started" "1001=Connector $base stopped" ;;
        h)   printf '%s\n' "/* verfix test data: stand-in for a performance counter header (invented content) */" \
                 "/* $stamp */" "#define DSA_COUNTER_OBJECT 0" "#define DSA_COUNTER_READS 2" ;;
        ini) printf '%s\n' "; verfix test data: stand-in for an initialization file (invented content)" \
                 "; $stamp" "[$base]" "Enabled=1" ;;
        csv) printf '%s\n' "Obj-Class,Common-Name,Display-Name" \
                 "Mailbox,verfix-sample,verfix test data: invented sample row ($stamp)" ;;
        *)   printf '%s\n' "verfix test data: stand-in for $name (invented content)" "$stamp" ;;
    esac > "$out"
}

# exchange SP: rebuild the bin folder testdata/SP/exchsrvr/bin from exchange55-files.tsv
# (written by tools/exchange55_files.py from the catalog): binaries with the version and
# FileVersion string of the SP's columns, data files with invented text.
exchange() {
    sp=$1
    dir=$here/$sp/exchsrvr/bin
    case $sp in sp2) year=1998 ;; *) year=1999 ;; esac
    ms="Microsoft Corporation"
    ex="Microsoft Exchange"
    cr="Copyright (C) Microsoft Corp. 1986-$year"
    rm -rf "$dir"
    mkdir -p "$dir"
    grep -v '^#' "$here/exchange55-files.tsv" | tail -n +2 |
    while IFS="$tab" read -r name kind v2 v3 s2 s3 article desc; do
        case $sp in sp2) fixed=$v2 str=$s2 ;; *) fixed=$v3 str=$s3 ;; esac
        case $kind in
            binary) versioned i386 "$dir/$name" "$fixed" "$str" "$str" "$desc" "$ms" "$ex" "$cr" ;;
            data) data_file "$name" "$sp" "$dir/$name" ;;
            *) echo "exchange55-files.tsv: bad kind '$kind' for $name" >&2; exit 1 ;;
        esac
    done
}


# set_link_time FILE "YYYY-MM-DD HH:MM": write that UTC time into the COFF header's
# TimeDateStamp (the linker wrote none), so a rebuild stays byte for byte the same.
set_link_time() {
    file=$1 secs=$(date -u -d "$2" +%s)
    header=$(od -An -tu4 -j60 -N4 "$1" | tr -d ' ')
    bytes=$(printf '\\%03o\\%03o\\%03o\\%03o' $((secs & 255)) $((secs >> 8 & 255)) \
        $((secs >> 16 & 255)) $((secs >> 24 & 255)))
    printf "$bytes" | dd of="$file" bs=1 seek=$((header + 8)) conv=notrunc status=none
}

# nt4: the mock Windows NT 4.0 server volume testdata/nt4 from nt4-files.tsv: binaries with
# their version, link time and size. Its registry hives (WINNT/system32/config) are built
# by `make testdata-hive` and kept.
nt4() {
    root=$here/nt4
    ms="Microsoft Corporation"
    if [ -d "$root" ]; then
        find "$root" -type f ! -path "*/config/*" -exec rm -f {} +
    fi
    grep -v '^#' "$here/nt4-files.tsv" | tail -n +2 |
    while IFS="$tab" read -r path fixed str linked size desc chosen; do
        case $path in
            exchsrvr/*) product="Microsoft Exchange" cr="Copyright (C) Microsoft Corp. 1986-1999" ;;
            */inetsrv/*) product="Microsoft(R) Windows NT(TM) Operating System" cr="Copyright (C) Microsoft Corp. 1981-2000" ;;
            *) product="Microsoft(R) Windows NT(TM) Operating System" cr="Copyright (C) Microsoft Corp. 1981-2002" ;;
        esac
        versioned i386 "$root/$path" "$fixed" "$str" "$str" "$desc" "$ms" "$product" "$cr"
        set_link_time "$root/$path" "$linked"
        if [ "$size" != "-" ]; then
            truncate -s "$size" "$root/$path"
        fi
    done
}

tab=$(printf '\t')
exchange sp2
exchange sp3
nt4

# Samples for the PE reader's tests.
pe=$here/pe
td="verfix test data"
link i386 dll "$src/multilang.rc"   "$pe/multilang.dll"
link i386 dll "$src/nonus.rc"       "$pe/nonus.dll"
link i386 dll "$src/noversion.rc"   "$pe/noversion.dll"
link i386 exe "$src/productonly.rc" "$pe/productonly.exe"
versioned i386 "$pe/strdiff.exe" 6.1.0.9212 "6.01.9212" "6.01.9212" \
    "Sample whose FileVersion string is written 6.01.9212" "$td" "$td" "Public domain"
versioned i386 "$pe/winbuild.dll" 10.0.19041.985 \
    "10.0.19041.985 (WinBuild.160101.0800)" "10.0.19041.985" \
    "Sample with a build-lab suffix in FileVersion" "$td" "$td" "Public domain"
if command -v "$CC64" >/dev/null 2>&1; then
    versioned amd64 "$pe/amd64.dll" 2.3.4.5 "2.3.4.5" "2.3.4.5" \
        "PE32+ x86-64 sample" "$td" "$td" "Public domain"
else
    echo "warning: $CC64 not found (Debian package gcc-mingw-w64-x86-64): pe/amd64.dll not rebuilt" >&2
fi
