# SPDX-License-Identifier: ISC
# Sourced by tests/run.sh and tests/lib.sh: python3 resolved once for the
# whole run (MAILSCOPE_PYBIN, first in PATH).  A version manager's shim
# costs a dozen processes and a third of a second of CPU at each of the
# thousands of calls the suites make.
if [ -z "${MAILSCOPE_PYBIN:-}" ]; then
	MAILSCOPE_PYBIN=$TOP/tests/out/bin
	mkdir -p "$MAILSCOPE_PYBIN"
	_py=$(python3 -c 'import sys; print(sys.executable)' 2> /dev/null)
	# Renamed into place: suites side by side (make test) each make it.
	[ -x "$_py" ] && ln -sf "$_py" "$MAILSCOPE_PYBIN/python3.$$" &&
	    mv -f "$MAILSCOPE_PYBIN/python3.$$" "$MAILSCOPE_PYBIN/python3"
	PATH=$MAILSCOPE_PYBIN:$PATH
	export MAILSCOPE_PYBIN PATH
fi
