//! HTTPS (`--tls`): a certificate generated at start for `localhost`,
//! `127.0.0.1` and `::1`, signed by a throwaway CA that clients are told to
//! trust; or a certificate and key given as PEM files.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the server's certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// Generated at start: a CA of its own and a certificate for
    /// `localhost`, `127.0.0.1` and `::1` signed by it.
    Generated,
    /// PEM files: the certificate chain (leaf first) and its private key.
    Files {
        /// The certificate chain, leaf first (PEM).
        certificate: PathBuf,
        /// The certificate's private key (PEM).
        key: PathBuf,
    },
}

/// What the server listens with, and what clients should trust.
pub struct TlsMaterial {
    pub server_config: rustls::ServerConfig,
    /// PEM of the certificate to trust: the generated CA, or the given
    /// chain.
    pub trust_pem: String,
}

/// Why the server's TLS identity cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate could not be generated.
    #[error("generating a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A PEM file cannot be read or holds no usable item.
    #[error("{}: {problem}", path.display())]
    File {
        /// The certificate or key file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The certificate and key do not fit together, or rustls refuses them.
    #[error("the certificate and key do not make a TLS identity: {0}")]
    Identity(#[from] rustls::Error),
}

impl Tls {
    /// Reads the files, or generates the certificate.
    pub fn load(&self) -> Result<TlsMaterial, TlsError> {
        let (chain, key, trust_pem) = match self {
            Self::Generated => generate()?,
            Self::Files { certificate, key } => {
                let file = |path: &PathBuf| {
                    let path = path.clone();
                    move |problem: String| TlsError::File { path, problem }
                };
                let chain: Vec<CertificateDer<'static>> =
                    CertificateDer::pem_file_iter(certificate)
                        .and_then(|certs| certs.collect())
                        .map_err(|e| file(certificate)(e.to_string()))?;
                if chain.is_empty() {
                    return Err(file(certificate)("no CERTIFICATE in it".into()));
                }
                let key =
                    PrivateKeyDer::from_pem_file(key).map_err(|e| file(key)(e.to_string()))?;
                let trust = std::fs::read_to_string(certificate)
                    .map_err(|e| file(certificate)(e.to_string()))?;
                (chain, key, trust)
            }
        };
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        Ok(TlsMaterial {
            server_config,
            trust_pem,
        })
    }
}

/// A TLS client configuration that trusts exactly the certificates in
/// `pem` (for the health check, and for clients of a generated identity).
#[cfg(feature = "outbound")]
pub fn client_config_trusting(pem: &str) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| e.to_string())?;
        roots.add(cert).map_err(|e| e.to_string())?;
    }
    if roots.is_empty() {
        return Err("no CERTIFICATE to trust".into());
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String);

fn generate() -> Result<Identity, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "snap-mock local CA (test use only)");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;

    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let leaf_cert = leaf.signed_by(&key, &ca_cert, &ca_key)?;
    let key_der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
    Ok((
        vec![leaf_cert.der().clone(), ca_cert.der().clone()],
        key_der,
        ca_cert.pem(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_identity_loads_and_its_ca_is_a_pem_certificate() {
        let material = Tls::Generated.load().unwrap();
        assert!(material
            .trust_pem
            .starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn missing_or_wrong_files_are_named() {
        let e = Tls::Files {
            certificate: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        }
        .load()
        .err()
        .unwrap();
        assert!(
            matches!(&e, TlsError::File { path, .. } if path.ends_with("cert.pem")),
            "{e:?}"
        );
        assert!(e.to_string().contains("/nonexistent/cert.pem"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not a pem").unwrap();
        let e = Tls::Files {
            certificate: cert.clone(),
            key: cert.clone(),
        }
        .load()
        .err()
        .unwrap();
        assert!(e.to_string().contains("no CERTIFICATE"), "{e}");
    }
}
