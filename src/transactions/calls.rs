//! The calls that act on transactions, with their standard paths and
//! service codes: the table the routes are registered from and that
//! `/health`, `/openapi.json` and the inspector list.

use super::Kind;

/// What a stateful call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `create-va` (27).
    VaCreate,
    /// `update-va` (28).
    VaUpdate,
    /// `inquiry-va` (30).
    VaInquiry,
    /// `delete-va` (31).
    VaDelete,
    /// VA payment status (26).
    VaStatus,
    /// Debit payment, host to host (54).
    DebitPay,
    /// Debit status (55).
    DebitStatus,
    /// Debit cancel (57).
    DebitCancel,
    /// Debit refund (58).
    DebitRefund,
    /// QRIS MPM generate (47).
    QrisGenerate,
    /// QRIS MPM query (51).
    QrisQuery,
    /// QRIS MPM cancel (77).
    QrisCancel,
    /// QRIS MPM refund (78).
    QrisRefund,
}

impl Call {
    /// Every call, with its path under the preset's base path.
    pub const ALL: [(Call, &'static str); 13] = [
        (Call::VaCreate, "/v1.0/transfer-va/create-va"),
        (Call::VaUpdate, "/v1.0/transfer-va/update-va"),
        (Call::VaInquiry, "/v1.0/transfer-va/inquiry-va"),
        (Call::VaDelete, "/v1.0/transfer-va/delete-va"),
        (Call::VaStatus, "/v1.0/transfer-va/status"),
        (Call::DebitPay, "/v1.0/debit/payment-host-to-host"),
        (Call::DebitStatus, "/v1.0/debit/status"),
        (Call::DebitCancel, "/v1.0/debit/cancel"),
        (Call::DebitRefund, "/v1.0/debit/refund"),
        (Call::QrisGenerate, "/v1.0/qr/qr-mpm-generate"),
        (Call::QrisQuery, "/v1.0/qr/qr-mpm-query"),
        (Call::QrisCancel, "/v1.0/qr/qr-mpm-cancel"),
        (Call::QrisRefund, "/v1.0/qr/qr-mpm-refund"),
    ];

    /// The kind of transaction it acts on.
    pub const fn kind(self) -> Kind {
        match self {
            Self::VaCreate | Self::VaUpdate | Self::VaInquiry | Self::VaDelete | Self::VaStatus => {
                Kind::VirtualAccount
            }
            Self::DebitPay | Self::DebitStatus | Self::DebitCancel | Self::DebitRefund => {
                Kind::DirectDebit
            }
            Self::QrisGenerate | Self::QrisQuery | Self::QrisCancel | Self::QrisRefund => {
                Kind::Qris
            }
        }
    }

    /// Its SNAP service code.
    pub const fn service(self) -> u8 {
        match self {
            Self::VaCreate => 27,
            Self::VaUpdate => 28,
            Self::VaInquiry => 30,
            Self::VaDelete => 31,
            Self::VaStatus => 26,
            Self::DebitPay => 54,
            Self::DebitStatus => 55,
            Self::DebitCancel => 57,
            Self::DebitRefund => 58,
            Self::QrisGenerate => 47,
            Self::QrisQuery => 51,
            Self::QrisCancel => 77,
            Self::QrisRefund => 78,
        }
    }

    /// What it does, in a few words (for listings).
    pub const fn summary(self) -> &'static str {
        match self {
            Self::VaCreate => "creates a virtual account",
            Self::VaUpdate => "changes an open virtual account",
            Self::VaInquiry => "shows a virtual account",
            Self::VaDelete => "deletes a virtual account",
            Self::VaStatus => "the status of a virtual account payment",
            Self::DebitPay => "a direct debit payment",
            Self::DebitStatus => "the status of a direct debit",
            Self::DebitCancel => "cancels a direct debit",
            Self::DebitRefund => "refunds a direct debit",
            Self::QrisGenerate => "generates a QRIS MPM payment",
            Self::QrisQuery => "the status of a QRIS payment",
            Self::QrisCancel => "cancels a QRIS payment",
            Self::QrisRefund => "refunds a QRIS payment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_has_a_distinct_path_and_service_code_of_its_kind() {
        let mut paths: Vec<&str> = Call::ALL.iter().map(|(_, p)| *p).collect();
        let mut codes: Vec<u8> = Call::ALL.iter().map(|(c, _)| c.service()).collect();
        paths.sort_unstable();
        paths.dedup();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!((paths.len(), codes.len()), (13, 13));
        for (call, path) in Call::ALL {
            let prefix = match call.kind() {
                Kind::VirtualAccount => "/v1.0/transfer-va/",
                Kind::DirectDebit => "/v1.0/debit/",
                Kind::Qris => "/v1.0/qr/",
            };
            assert!(path.starts_with(prefix), "{call:?} {path}");
            assert!(!call.summary().is_empty());
        }
        assert_eq!(Call::VaCreate.service(), 27);
        assert_eq!(Call::QrisRefund.service(), 78);
    }
}
