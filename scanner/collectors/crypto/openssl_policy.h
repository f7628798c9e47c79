// SPDX-License-Identifier: Apache-2.0
// The `openssl_policy` collector (libcrypto; TRIAD_WITH_OPENSSL): the system-wide TLS
// settings OpenSSL applies to every program that loads the default configuration — the
// system_default section reached from openssl_conf -> ssl_conf in the audited root's
// openssl.cnf and the files it includes: MinProtocol, MaxProtocol, CipherString (and its
// @SECLEVEL), Ciphersuites. One fact. Root scope.
#pragma once

#include "scanner/core/collector.h"

namespace triad::scanner {

inline constexpr FieldSpec kOpensslPolicyFields[] = {
    {"config_file", ValueKind::string, "the openssl.cnf read (the first of /usr/lib/ssl, /etc/ssl, /etc/pki/tls that exists)"},
    {"files", ValueKind::list, "every file read: openssl.cnf and its .include files, in order"},
    {"system_default", ValueKind::boolean, "a system_default section is reached through openssl_conf and ssl_conf"},
    {"min_protocol", ValueKind::string, "MinProtocol of that section (TLSv1.2); absent when not set"},
    {"max_protocol", ValueKind::string, "MaxProtocol; absent when not set"},
    {"cipher_string", ValueKind::string, "CipherString (TLS 1.2 and older); absent when not set"},
    {"ciphersuites", ValueKind::string, "Ciphersuites (TLS 1.3); absent when not set"},
    {"security_level", ValueKind::integer, "the @SECLEVEL=N of CipherString; absent when it names none"},
    {"min_protocol_version", ValueKind::integer,
     "MinProtocol as a number for comparison: 10 TLSv1, 11 TLSv1.1, 12 TLSv1.2, 13 TLSv1.3 (0 for SSLv3 or an unknown name); absent when not set"},
};

inline constexpr CollectorEntry kOpensslPolicyCollectorSpec{
    "openssl_policy", Scope::root, kOpensslPolicyFields, {}, nullptr,
    "OpenSSL's system-wide TLS policy: MinProtocol and CipherString of the system_default section\n"
    "\n"
    "One object, the openssl.cnf read. Its `.include` files (and directories) are read "
    "through the audited root and the whole text is parsed by libcrypto's NCONF, as OpenSSL "
    "parses it; the system_default section is the one reached through openssl_conf, then "
    "ssl_conf, then system_default. Without an openssl.cnf the collector is "
    "not_applicable; an unreadable or unparsable one, or an include that cannot be read, is "
    "an error.",
};

extern const CollectorEntry kOpensslPolicyCollector;

}  // namespace triad::scanner
