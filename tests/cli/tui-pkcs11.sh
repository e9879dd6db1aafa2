#!/bin/bash
. "$MCUPROV_SRCDIR/tests/lib.sh"
skip_all "not written yet"
