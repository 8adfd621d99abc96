//! `X-EXTERNAL-ID`s used per partner per WIB day.

use super::*;

/// `X-EXTERNAL-ID`s used, bucketed by WIB day. Only the two most recent
/// days are kept (a request dated earlier than both is checked against an
/// empty day): every operation is O(1), and a new day frees the oldest
/// bucket at once. Each (partner, id) is kept as a 128-bit digest, 16 bytes
/// however long the partner id, so memory per id is fixed.
pub struct ExternalIds {
    max_per_day: usize,
    pub(super) days: Mutex<Vec<(NaiveDate, HashSet<u128>)>>,
}

impl ExternalIds {
    pub fn new(max_per_day: usize) -> Self {
        Self {
            max_per_day,
            days: Mutex::new(Vec::with_capacity(3)),
        }
    }

    fn digest(partner: &str, external_id: &str) -> u128 {
        let len = (partner.len() as u64).to_le_bytes();
        digest128(&[&len, partner.as_bytes(), external_id.as_bytes()])
    }

    pub fn check_and_record(&self, partner: &str, external_id: &str, day: NaiveDate) -> IdCheck {
        let key = Self::digest(partner, external_id);
        let mut days = lock(&self.days);
        let at = match days.iter().position(|(d, _)| *d == day) {
            Some(at) => at,
            None => {
                days.push((day, HashSet::new()));
                days.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
                days.truncate(2);
                match days.iter().position(|(d, _)| *d == day) {
                    Some(at) => at,
                    // Older than both kept days: nothing to compare with.
                    None => return IdCheck::Fresh,
                }
            }
        };
        let seen = &mut days[at].1;
        if seen.contains(&key) {
            IdCheck::Used
        } else if seen.len() >= self.max_per_day {
            IdCheck::Full {
                max: self.max_per_day,
            }
        } else {
            seen.insert(key);
            IdCheck::Fresh
        }
    }

    pub fn release(&self, partner: &str, external_id: &str, day: NaiveDate) {
        let key = Self::digest(partner, external_id);
        if let Some((_, seen)) = lock(&self.days).iter_mut().find(|(d, _)| *d == day) {
            seen.remove(&key);
        }
    }
}

impl ExternalIdStore for ExternalIds {
    fn check_and_record<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, IdCheck> {
        StoreFuture::ready(ExternalIds::check_and_record(
            self,
            partner,
            external_id,
            day,
        ))
    }

    fn release<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, ()> {
        ExternalIds::release(self, partner, external_id, day);
        StoreFuture::ready(())
    }
}
