// SPDX-License-Identifier: Apache-2.0
#include "scanner/collectors/crypto/tls_certificates.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "scanner/core/path_glob.h"

namespace triad::scanner {
namespace {

enum Field : std::size_t {
    kPath, kSubject, kIssuer, kNotAfter, kDaysLeft, kKeyType, kKeyBits, kCa, kSelfSigned, kCertificates, kFieldCount
};
static_assert(std::size(kTlsCertificateFields) == kFieldCount);

// A certificate file is a few KiB; the system CA bundle is about 200 KiB.
constexpr std::size_t kMaxFileBytes = 2 * 1024 * 1024;
constexpr std::size_t kMaxFiles = 4096;
constexpr int kMaxCertificatesCounted = 1024;

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string name_line(const X509_NAME* name) {
    BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) return "";
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : "";
}

std::string utc_text(const ASN1_TIME* t) {
    struct tm tm {};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string key_type_name(int id) {
    switch (id) {
        case EVP_PKEY_RSA: case EVP_PKEY_RSA_PSS: return "rsa";
        case EVP_PKEY_EC: return "ec";
        case EVP_PKEY_ED25519: return "ed25519";
        case EVP_PKEY_ED448: return "ed448";
        case EVP_PKEY_DSA: return "dsa";
        default: {
            const char* sn = OBJ_nid2sn(id);
            return sn ? sn : "unknown";
        }
    }
}

Fact certificate_fact(const std::string& path, const std::string& pem) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) return Fact::error(path, "libcrypto cannot allocate a buffer");
    X509Ptr first(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!first) {
        ERR_clear_error();
        return Fact::error(path, "no PEM certificate libcrypto can read");
    }
    std::int64_t count = 1;
    while (count < kMaxCertificatesCounted) {
        X509Ptr next(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
        if (!next) break;
        ++count;
    }
    ERR_clear_error();  // the end of the file reads as an error

    X509* x = first.get();
    Fact f;
    f.object = path;
    f.fields.resize(kFieldCount);
    f.fields[kPath] = Value{path};
    f.fields[kSubject] = Value{name_line(X509_get_subject_name(x))};
    f.fields[kIssuer] = Value{name_line(X509_get_issuer_name(x))};
    f.fields[kNotAfter] = Value{utc_text(X509_get0_notAfter(x))};
    int days = 0, seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(x)) == 1)
        f.fields[kDaysLeft] = Value{std::int64_t{days} - (seconds < 0 ? 1 : 0)};
    if (EVP_PKEY* key = X509_get0_pubkey(x)) {
        f.fields[kKeyType] = Value{key_type_name(EVP_PKEY_get_base_id(key))};
        f.fields[kKeyBits] = Value{std::int64_t{EVP_PKEY_get_bits(key)}};
    }
    f.fields[kCa] = Value{X509_check_ca(x) > 0 && (X509_get_extension_flags(x) & EXFLAG_CA) != 0};
    f.fields[kSelfSigned] = Value{X509_self_signed(x, 1) == 1};
    ERR_clear_error();
    f.fields[kCertificates] = Value{count};
    return f;
}

FactSet collect_tls_certificates(const CollectContext& ctx, const SelectArgs& args) {
    FactSet out;
    std::size_t files = 0;
    for (const std::string& pattern : args.list("paths")) {
        auto paths = expand_path_glob(ctx.root, pattern);
        if (!paths) {
            out.push_back(Fact::error(pattern, paths.error().describe()));
            continue;
        }
        if (paths->empty()) {
            Fact f;
            f.object = pattern;
            f.status = FactStatus::absent;
            out.push_back(std::move(f));
        }
        for (const std::string& path : *paths) {
            if (ctx.cancelled()) return out;
            if (++files > kMaxFiles) {
                out.push_back(Fact::error(pattern, "more than " + std::to_string(kMaxFiles) + " files named; the rest were not read"));
                return out;
            }
            auto text = ctx.root.read_file(path, kMaxFileBytes);
            if (!text) {
                out.push_back(Fact::error(path, text.error().describe()));
                continue;
            }
            out.push_back(certificate_fact(path, *text));
        }
    }
    return out;
}

}  // namespace

const CollectorEntry kTlsCertificatesCollector = with_collect(kTlsCertificatesCollectorSpec, collect_tls_certificates);

}  // namespace triad::scanner
