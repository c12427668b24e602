#!/usr/bin/python3
"""sbom.py: an SPDX 2.3 JSON SBOM for one pidone binary.

    sbom.py --version V --epoch SECONDS --arch DEBARCH --musl DEBIAN_VERSION
            --libgcc "PACKAGE DEBIAN_VERSION" BINARY

prints the document: the pidone package, its binary file (SHA-1 and SHA-256),
the musl it is statically linked with (Debian's musl-dev of that version and
architecture), and the libgcc.a on its link line (of which the linker takes
only what is called, under the GCC Runtime Library Exception). Deterministic: the namespace and the creation time come
from the binary's digest and the release's epoch, not from the clock.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--musl", required=True, help="musl-dev's Debian version")
    ap.add_argument("--libgcc", required=True,
                    help="the Debian package of the libgcc.a linked, and its version")
    ap.add_argument("binary")
    args = ap.parse_args()
    with open(args.binary, "rb") as f:
        data = f.read()
    sha256 = hashlib.sha256(data).hexdigest()
    created = datetime.datetime.fromtimestamp(
        args.epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    name = "pidone-%s-linux-%s" % (args.version, args.arch)
    libgcc_pkg, libgcc_version = args.libgcc.split()
    musl_upstream = args.musl.split(":")[-1].rsplit("-", 1)[0]
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": "https://spdx.org/spdxdocs/%s-%s" % (name, sha256),
        "creationInfo": {"created": created,
                         "creators": ["Tool: pidone-release-sbom.py"]},
        "packages": [
            {
                "SPDXID": "SPDXRef-Package-pidone",
                "name": "pidone",
                "versionInfo": args.version,
                "primaryPackagePurpose": "APPLICATION",
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": False,
                "licenseConcluded": "MIT",
                "licenseDeclared": "MIT",
                "copyrightText": "Copyright (c) 2026 the pidone authors",
                "checksums": [{"algorithm": "SHA256", "checksumValue": sha256}],
                "description": "PID 1 for containers: static-pie binary for linux/%s"
                               % args.arch,
            },
            {
                "SPDXID": "SPDXRef-Package-musl",
                "name": "musl",
                "versionInfo": musl_upstream,
                "supplier": "Organization: Debian",
                "primaryPackagePurpose": "LIBRARY",
                "downloadLocation": "https://musl.libc.org/releases/musl-%s.tar.gz"
                                    % musl_upstream,
                "filesAnalyzed": False,
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "MIT",
                "copyrightText": "NOASSERTION",
                "comment": "libc.a of Debian's musl-dev %s (%s), linked statically"
                           % (args.musl, args.arch),
                "externalRefs": [{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:deb/debian/musl-dev@%s?arch=%s"
                                        % (args.musl, args.arch),
                }],
            },
            {
                "SPDXID": "SPDXRef-Package-libgcc",
                "name": "libgcc",
                "versionInfo": libgcc_version.split("-")[0],
                "supplier": "Organization: Debian",
                "primaryPackagePurpose": "LIBRARY",
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": False,
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "GPL-3.0-or-later WITH GCC-exception-3.1",
                "copyrightText": "NOASSERTION",
                "comment": "libgcc.a of Debian's %s %s, on the link line"
                           % (libgcc_pkg, libgcc_version),
                "externalRefs": [{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:deb/debian/%s@%s" % (libgcc_pkg, libgcc_version),
                }],
            },
        ],
        "files": [{
            "SPDXID": "SPDXRef-File-pidone",
            "fileName": "./pidone",
            "fileTypes": ["BINARY"],
            "checksums": [
                {"algorithm": "SHA1", "checksumValue": hashlib.sha1(data).hexdigest()},
                {"algorithm": "SHA256", "checksumValue": sha256},
            ],
            "licenseConcluded": "MIT",
            "copyrightText": "NOASSERTION",
        }],
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
             "relatedSpdxElement": "SPDXRef-Package-pidone"},
            {"spdxElementId": "SPDXRef-Package-pidone", "relationshipType": "CONTAINS",
             "relatedSpdxElement": "SPDXRef-File-pidone"},
            {"spdxElementId": "SPDXRef-File-pidone", "relationshipType": "STATIC_LINK",
             "relatedSpdxElement": "SPDXRef-Package-musl"},
            {"spdxElementId": "SPDXRef-File-pidone", "relationshipType": "STATIC_LINK",
             "relatedSpdxElement": "SPDXRef-Package-libgcc"},
        ],
    }
    json.dump(doc, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return os.EX_OK


if __name__ == "__main__":
    sys.exit(main())
