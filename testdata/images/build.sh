#!/bin/sh
# Rebuild the committed disk images in testdata/images from the example bin folders:
#   partition 1: NTFS, EXCHSRVR/BIN/ holding testdata/sp2's files under upper-case names
#   partition 2: FAT12, Exchsrvr/Bin/ holding testdata/sp3's files under their own names
# in an MBR disk (NT-style, first partition at sector 63), then the same disk as E01, VMDK,
# VHD and qcow2; testdata/nt4 as one NTFS volume in nt4-c.E01; a volume with a 2 GiB sparse
# file in big-file.E01. Needs root (the NTFS volume is filled through an ntfs-3g FUSE mount) and
# Debian ntfs-3g, dosfstools, mtools, fdisk, qemu-utils and ewf-tools.
# Usage: sh testdata/images/build.sh [OUTPUT_FOLDER]   (default: testdata/images)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
cleanup() { mountpoint -q "$work/mnt" 2>/dev/null && umount "$work/mnt"; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# Sizes in 512-byte sectors: 3 MiB in all (the VHD has two 2 MiB blocks).
ntfs_start=63; ntfs_size=4096
fat_start=$((ntfs_start + ntfs_size)); fat_size=2048
disk_size=$((fat_start + fat_size))

# Partition 1: NTFS. mkntfs's volume serial and GUIDs are random: the image differs from the
# committed one byte for byte, never in what verfix reads from it.
truncate -s $((ntfs_size * 512)) "$work/ntfs.part"
mkntfs --quiet --force --fast --sector-size 512 --cluster-size 512 --partition-start $ntfs_start \
  --heads 255 --sectors-per-track 63 --label EXCHANGE "$work/ntfs.part" >/dev/null 2>&1
mkdir "$work/mnt"
ntfs-3g -o rw "$work/ntfs.part" "$work/mnt"
mkdir -p "$work/mnt/EXCHSRVR/BIN"
for file in "$top"/testdata/sp2/exchsrvr/bin/*; do
  name=$(basename "$file" | tr '[:lower:]' '[:upper:]')
  cp "$file" "$work/mnt/EXCHSRVR/BIN/$name"
done
umount "$work/mnt"

# Partition 2: FAT12 (mtools, no mount); mixed-case names are kept as long file names.
truncate -s $((fat_size * 512)) "$work/fat.part"
mkfs.fat -F 12 -s 1 -n EXCHDATA -i 1999a5a5 -h $fat_start "$work/fat.part" >/dev/null
export MTOOLS_NO_VFAT=0 MTOOLS_SKIP_CHECK=1
mmd -i "$work/fat.part" ::/Exchsrvr ::/Exchsrvr/Bin
mcopy -i "$work/fat.part" -m "$top"/testdata/sp3/exchsrvr/bin/* ::/Exchsrvr/Bin/

# The disk: an MBR with both partitions, then their bytes in place.
truncate -s $((disk_size * 512)) "$work/server.img"
printf 'label: dos\nlabel-id: 0x1999abcd\nunit: sectors\n\nstart=%s, size=%s, type=7\nstart=%s, size=%s, type=1\n' \
  $ntfs_start $ntfs_size $fat_start $fat_size | sfdisk --quiet "$work/server.img"
dd if="$work/ntfs.part" of="$work/server.img" bs=512 seek=$ntfs_start conv=notrunc status=none
dd if="$work/fat.part" of="$work/server.img" bs=512 seek=$fat_start conv=notrunc status=none

# The same disk in the container formats.
# qcow2 version 2 (compat=0.10): libqcow misreads compressed clusters of version 3 images.
qemu-img convert -q -f raw -O qcow2 -c -o compat=0.10,cluster_size=16384 "$work/server.img" "$work/server.qcow2"
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/server.img" "$work/server.vmdk"
qemu-img convert -q -f raw -O vpc -o subformat=dynamic,force_size=on "$work/server.img" "$work/server.vhd"
ewfacquirestream -q -t "$work/server" -c deflate:best -C 10 -D "verfix test disk" -E 1 \
  -e verfix -N "built by testdata/images/build.sh" -m fixed -M logical < "$work/server.img" >/dev/null
# A second evidence file: testdata/nt4 (a mock NT 4.0 system volume, its registry hives
# included) as one bare NTFS volume, no partition table, in an E01.
truncate -s 2M "$work/nt4.part"
mkntfs --quiet --force --fast --sector-size 512 --cluster-size 512 --label SYSTEM "$work/nt4.part" >/dev/null 2>&1
ntfs-3g -o rw "$work/nt4.part" "$work/mnt"
cp -r "$top"/testdata/nt4/. "$work/mnt/"
umount "$work/mnt"
ewfacquirestream -q -t "$work/nt4-c" -c deflate:best -C 11 -D "verfix test volume" -E 1 \
  -e verfix -N "built by testdata/images/build.sh" -m fixed -M logical < "$work/nt4.part" >/dev/null

# A 2 GiB file in a 2 MiB volume: testdata/sp3's Emsmta.exe made sparse to 2 GiB (NTFS keeps
# only its first clusters), as one bare NTFS volume in big-file.E01.
truncate -s 2M "$work/big.part"
mkntfs --quiet --force --fast --sector-size 512 --cluster-size 512 --label BIG "$work/big.part" >/dev/null 2>&1
ntfs-3g -o rw "$work/big.part" "$work/mnt"
mkdir -p "$work/mnt/EXCHSRVR/BIN"
cp "$top/testdata/sp3/exchsrvr/bin/Emsmta.exe" "$work/mnt/EXCHSRVR/BIN/EMSMTA.EXE"
truncate -s 2G "$work/mnt/EXCHSRVR/BIN/EMSMTA.EXE"
umount "$work/mnt"
ewfacquirestream -q -t "$work/big-file" -c deflate:best -C 12 -D "verfix test volume" -E 1 \
  -e verfix -N "built by testdata/images/build.sh" -m fixed -M logical < "$work/big.part" >/dev/null

for name in server.img server.qcow2 server.vmdk server.vhd server.E01 nt4-c.E01 big-file.E01; do
  cp "$work/$name" "$out/$name"
done
ls -l "$out"/server.* "$out"/nt4-c.E01 "$out"/big-file.E01
