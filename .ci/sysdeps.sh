#!/usr/bin/env bash
# Installs the system packages the renderer and the tests need when they are missing.
set -euo pipefail
PKGS=(libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fontconfig
      fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai
      python3-uno    # warm LibreOffice (unoserver runs under the system python3 with uno: service/pdf/warm.py)
      fonts-hanazono # HanaMinB: CJK Ext-B (U+20000...) fallback in config/fonts.conf
      chromium       # headless browser: the API docs and the web pages are checked in a real browser
      chromium-l10n) # its Chinese UI strings: native controls (file picker, date fields) show Chinese as in offices
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "缺少系统软件包: ${missing[*]}; 请以 root 运行 make，或手工安装。" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
