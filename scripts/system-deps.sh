#!/usr/bin/env bash
# System packages the tests need: Chromium and Korean fonts (browser tests), LibreOffice Calc
# (opening our workbooks), and a running PostgreSQL. Installs what it can; says clearly what not.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    echo "system-deps: cannot install ${missing[*]} (not root, no sudo). Install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  else
    echo "system-deps: installing ${missing[*]} ..."
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/crm-apt.log 2>&1 \
      || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/crm-apt.log 2>&1; } \
      || echo "system-deps: apt-get failed, see /tmp/crm-apt.log" >&2
  fi
fi

# PostgreSQL: start the local cluster if it is installed but not answering.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "system-deps: starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "system-deps: PostgreSQL is not reachable on 127.0.0.1:5432; its tests will skip (fail under CI=true)." >&2
fi
exit 0
