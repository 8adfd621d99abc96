//! `MockServer`'s side of payments: the customer's actions, the
//! transactions and notifications, and where a client's notifications go.

use super::{MockError, MockServer};
use crate::outbound::notify::Notification;
use crate::store::block_on;
use crate::transactions::{Action, Money, Transaction};

impl MockServer {
    /// Every transaction, newest first.
    pub fn transactions(&self) -> Result<Vec<Transaction>, MockError> {
        let page = block_on(
            self.state
                .stores
                .transactions
                .list(None, usize::MAX, &|_| true),
        )?;
        Ok(page.into_iter().map(|(_, t)| t).collect())
    }

    /// The transaction `id` names: its `referenceNo`, the client's
    /// reference (`trxId`) or its VA number (spaces trimmed).
    pub fn transaction(&self, id: &str) -> Result<Option<Transaction>, MockError> {
        Ok(block_on(self.state.stores.transactions.find(None, id))?)
    }

    /// The customer pays the bill of `id` (an open VA: `amount`). The
    /// client's notification is queued.
    pub fn pay(&self, id: &str, amount: Option<Money>) -> Result<Transaction, MockError> {
        self.act(id, Action::Pay(amount))
    }

    /// The customer's payment of `id` fails.
    pub fn fail(&self, id: &str) -> Result<Transaction, MockError> {
        self.act(id, Action::Fail)
    }

    /// `id` expires now, before its `expiredDate`.
    pub fn expire(&self, id: &str) -> Result<Transaction, MockError> {
        self.act(id, Action::Expire)
    }

    fn act(&self, id: &str, action: Action) -> Result<Transaction, MockError> {
        let now = self.state.clock.now();
        let changed = block_on(self.state.stores.transactions.apply(None, id, &action, now))?
            .map_err(|failure| match failure {
                crate::snap::error::TransactionFailure::BillNotFound => {
                    MockError::NotFound(format!("transaction {:?}", id.trim()))
                }
                other => MockError::Refused(other),
            })?;
        self.state.notify(&changed, now);
        Ok(changed)
    }

    /// Every notification kept, newest first, with its delivery state.
    pub fn notifications(&self) -> Vec<Notification> {
        self.state.outbox.list()
    }

    /// Sends `client_key`'s notifications to `url` from now on (a base URL;
    /// `/v1.0/transfer-va/payment` is appended for a VA unless the URL
    /// names a `/v1.0/` path).
    pub fn set_notification_url(&self, client_key: &str, url: &str) -> Result<(), MockError> {
        if self.state.stores.clients.get(client_key).is_none() {
            return Err(MockError::NotFound(format!("client {client_key:?}")));
        }
        self.state.set_notification_url(client_key, url);
        Ok(())
    }

    /// The public key (SPKI PEM) that verifies notifications, also served
    /// at `GET /notification-key.pem`.
    pub fn notification_key_pem(&self) -> &str {
        &self.state.notification_public_pem
    }
}
