// SPDX-License-Identifier: Apache-2.0
// The `tls_certificates` collector (libcrypto; TRIAD_WITH_OPENSSL): the first certificate of
// each PEM file the select names inside the audited root (the leaf, in a chain file): when
// it expires, its key type and size, whether it is a CA. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

inline constexpr FieldSpec kTlsCertificateFields[] = {
    {"path", ValueKind::string, "the PEM file inside the audited root"},
    {"subject", ValueKind::string, "subject name, one line (CN = example.org)"},
    {"issuer", ValueKind::string, "issuer name, one line"},
    {"not_after", ValueKind::string, "end of validity, UTC (2027-01-31T12:00:00Z)"},
    {"days_left", ValueKind::integer, "whole days from the scan to not_after; negative when expired"},
    {"key_type", ValueKind::string, "rsa, ec, ed25519, ed448, dsa or the OpenSSL name"},
    {"key_bits", ValueKind::integer, "key size in bits (2048 for RSA-2048, 256 for P-256)"},
    {"ca", ValueKind::boolean, "basicConstraints says CA:TRUE"},
    {"self_signed", ValueKind::boolean, "issuer and subject are the same and the certificate verifies with its own key"},
    {"certificates", ValueKind::integer, "how many certificates the file holds (a chain or a bundle)"},
};

inline constexpr ArgSpec kTlsCertificateArgs[] = {
    {"paths", ArgKind::paths, true, "PEM certificate files inside the audited root, globs allowed"},
};

inline constexpr CollectorEntry kTlsCertificatesCollectorSpec{
    "tls_certificates", Scope::root, kTlsCertificateFields, kTlsCertificateArgs, nullptr,
    "TLS certificates in PEM files: expiry, key type and size, CA or not\n"
    "\n"
    "One object per file `paths` names (globs expanded inside the audited root; a link "
    "into /usr/share/ca-certificates is followed inside the root), parsed with libcrypto. "
    "The fields describe its first certificate, the leaf of a chain file. A file that holds "
    "no certificate libcrypto can read is an error naming it; a path that matches nothing "
    "is absent.",
};

extern const CollectorEntry kTlsCertificatesCollector;

}  // namespace triad::scanner
