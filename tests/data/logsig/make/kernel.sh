#!/bin/sh
# kernel.sh SRC OUT: configure and build the debug kernel used for the
# demo-*.log files, from an unpacked linux-source-6.1 tree SRC (patched
# here with maestrino-crash.patch unless it already is), into OUT
# (make O=OUT).  Leaves OUT/arch/x86/boot/bzImage and OUT/build.log.
set -eu

src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

cd "$src"
if [ ! -e lib/maestrino_crash.c ]; then
	patch -p1 <"$here/maestrino-crash.patch"
fi

make O="$out" tinyconfig >/dev/null
# What each report needs on top of tinyconfig: a 64-bit SMP kernel with
# ACPI (without it QEMU's MP table shows one CPU, and there is no HPET
# to calibrate the TSC against) and DMI (the "Hardware name:" line), a
# serial console, initramfs, SLUB (for KASAN), ORC unwinder and
# kallsyms (for named traces), and the debugging options.
scripts/config --file "$out/.config" \
	--enable 64BIT --enable SMP --enable ACPI --enable DMI --enable TTY --enable SERIAL_8250 \
	--enable SERIAL_8250_CONSOLE --enable PRINTK --enable PRINTK_TIME \
	--enable BLK_DEV_INITRD --enable RD_GZIP \
	--enable BINFMT_ELF --enable BINFMT_SCRIPT \
	--enable PROC_FS --enable PROC_SYSCTL --enable SYSFS \
	--enable DEVTMPFS --enable DEVTMPFS_MOUNT \
	--enable BUG --enable DEBUG_BUGVERBOSE --enable KALLSYMS \
	--disable UNWINDER_GUESS --enable UNWINDER_ORC \
	--disable SLOB --enable SLUB --enable STACKTRACE \
	--enable DEBUG_KERNEL \
	--enable KASAN --enable KASAN_GENERIC \
	--enable UBSAN --enable UBSAN_BOUNDS --enable UBSAN_SHIFT \
	--disable UBSAN_SANITIZE_ALL \
	--enable PROVE_LOCKING \
	--enable DETECT_HUNG_TASK --enable LOCKUP_DETECTOR \
	--enable SOFTLOCKUP_DETECTOR \
	--enable MAESTRINO_CRASH
make O="$out" olddefconfig >/dev/null
for opt in 64BIT SMP ACPI DMI SERIAL_8250_CONSOLE PRINTK BLK_DEV_INITRD SLUB \
    KALLSYMS UNWINDER_ORC KASAN UBSAN UBSAN_BOUNDS UBSAN_SHIFT \
    PROVE_LOCKING DETECT_HUNG_TASK SOFTLOCKUP_DETECTOR MAESTRINO_CRASH; do
	if ! grep -q "^CONFIG_$opt=y" "$out/.config"; then
		echo "kernel.sh: CONFIG_$opt did not stick" >&2
		exit 1
	fi
done

start=$(date +%s)
nice -n 5 make O="$out" -j2 bzImage >"$out/build.log" 2>&1
echo "kernel.sh: bzImage built in $(($(date +%s) - start)) s" >&2
