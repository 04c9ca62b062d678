#!/usr/bin/env bash
# Installs the Debian packages the portal needs when any is missing:
#   gettext (translations), fonts and Pango (WeasyPrint), poppler-utils (PDF checks in tests), age (backups),
#   ghostscript (uploaded attachments made PDF/A for the board pack; the tests convert real files with it),
#   and, with --test, chromium for the browser journeys, SoftHSM2 (the seal key in a PKCS#11 token), NSS's
#   certutil (pdfsig checks seals against the development root), openssh-server (an SFTP server on loopback
#   stands in for the Peppol access point in tests/funding/test_peppol_delivery.py) and Node.js with npm for the
#   OpenID Connect provider the sign-in tests start (tests/oidc/).
set -euo pipefail
packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core poppler-utils age ghostscript)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium softhsm2 libnss3-tools openssh-server nodejs)
  # NodeSource's nodejs carries npm itself; Debian's needs the npm package beside it.
  command -v npm >/dev/null || packages+=(npm)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if (( ${#missing[@]} )); then
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
    echo "Missing system packages: ${missing[*]} (install them as root)" >&2
    exit 1
  fi
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
