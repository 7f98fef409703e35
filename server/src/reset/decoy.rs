//! Decoy flows (docs/SECURITY.md R1): an unknown, disabled, out-of-scope or method-less
//! account gets a flow that looks like a real one and stays the same every time the same
//! user ID is tried, because it is derived from a keyed hash of the user ID. No secret can
//! ever be proven in it.

use crate::crypto::keys::Key;
use crate::seeded::{hex, shuffle};
use crate::store::records::FlowMethod;
use sspr_api::MethodKind;

/// Domains a decoy's masked e-mail address is drawn from while nobody has registered an
/// address yet.
const DOMAINS: [&str; 6] = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
];

/// The keyed hash every per-account record is filed under, for real and unknown accounts
/// alike (user IDs compare without case).
pub fn subject(key: &Key, user_id: &str) -> String {
    hex(&key.mac(format!("subject\0{}", user_id.to_lowercase()).as_bytes()))
}

/// Whether the decoy for `user_id` takes an administrator's shape (two methods, never
/// questions). About one user ID in sixteen does, stably, so that an administrator's
/// answer does not stand out from the decoys when the policy asks less of other people.
pub fn looks_like_admin(key: &Key, user_id: &str) -> bool {
    key.mac(format!("admin\0{}", user_id.to_lowercase()).as_bytes())[0] < 16
}

/// The methods a decoy offers: `count` of the `allowed` kinds that a reset can use, in a
/// stable order for this user ID. An e-mail hint's domain is drawn from `domains` (the
/// domains registered, with how many addresses each), in proportion, so that any real hint
/// is one a decoy shows too.
pub fn methods(
    key: &Key,
    user_id: &str,
    allowed: &[MethodKind],
    count: usize,
    questions_to_register: usize,
    question_ids: &[String],
    domains: &[(String, u64)],
) -> Vec<FlowMethod> {
    let seed = key.mac(format!("decoy\0{}", user_id.to_lowercase()).as_bytes());
    let mut kinds: Vec<MethodKind> = allowed.to_vec();
    // Offer one more method than required when the policy allows, as most people have.
    let count = (count + usize::from(seed[0] % 2)).min(kinds.len());
    shuffle(&mut kinds, &seed[1..9]);
    let mut chosen: Vec<MethodKind> = kinds.into_iter().take(count).collect();
    chosen.sort();
    let domain = draw_domain(&seed[19..27], domains);
    chosen
        .into_iter()
        .enumerate()
        .map(|(index, kind)| FlowMethod {
            id: format!("m{}", index + 1),
            kind,
            // A made-up contact of the kind, masked as a real one is.
            hint: crate::methods::hint(
                kind,
                &match kind {
                    MethodKind::Email => format!("x@{domain}"),
                    // Each phone its own last two digits (a real person's two phones
                    // rarely share them), from 16 bits, so every pair is as likely.
                    MethodKind::MobilePhone => two_digits(seed[27], seed[28]),
                    MethodKind::OfficePhone => two_digits(seed[29], seed[30]),
                    MethodKind::AppCode
                    | MethodKind::AppNotification
                    | MethodKind::SecurityQuestions => String::new(),
                },
            ),
            record: None,
            questions: if kind == MethodKind::SecurityQuestions {
                question_pool(&seed[11..19], question_ids, questions_to_register)
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// Two decimal digits from two seed bytes (65,536 values: each pair within 0.2% of 1 in 100).
fn two_digits(high: u8, low: u8) -> String {
    format!("{:02}", u16::from_be_bytes([high, low]) % 100)
}

/// A domain drawn in proportion to `weights` (stable for the seed), or from [`DOMAINS`]
/// when there are none.
fn draw_domain(seed: &[u8], weights: &[(String, u64)]) -> String {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&seed[..8]);
    let draw = u64::from_le_bytes(bytes);
    let total: u64 = weights.iter().map(|(_, n)| *n).sum();
    if total == 0 {
        return DOMAINS[(draw % DOMAINS.len() as u64) as usize].to_owned();
    }
    let mut point = draw % total;
    for (domain, n) in weights {
        if point < *n {
            return domain.clone();
        }
        point -= n;
    }
    DOMAINS[0].to_owned()
}

/// A stable selection of `count` of `registered` (sorted), for the account of `subject`:
/// a real flow asks from as many questions as a decoy does, whatever was registered.
pub fn registered_pool(
    key: &Key,
    subject: &str,
    registered: &[String],
    count: usize,
) -> Vec<String> {
    let seed = key.mac(format!("pool\0{subject}").as_bytes());
    let mut pool = registered.to_vec();
    pool.sort();
    shuffle(&mut pool, &seed);
    pool.truncate(count);
    pool.sort();
    pool
}

/// `count` of the questions people choose from (`ids`: built-in and custom), as a decoy's
/// registered ones.
fn question_pool(seed: &[u8], ids: &[String], count: usize) -> Vec<String> {
    let mut ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    shuffle(&mut ids, seed);
    let mut pool: Vec<String> = ids.into_iter().take(count).map(str::to_owned).collect();
    pool.sort();
    pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;

    fn built_in() -> Vec<String> {
        sspr_api::questions::BUILT_IN
            .iter()
            .map(|&id| id.to_owned())
            .collect()
    }

    const ALLOWED: [MethodKind; 3] = [
        MethodKind::AppCode,
        MethodKind::Email,
        MethodKind::SecurityQuestions,
    ];

    #[test]
    fn the_same_user_id_gets_the_same_decoy() {
        let key = ServerKeys::ephemeral().decoy;
        let first = methods(
            &key,
            "Nobody@Contoso.example",
            &ALLOWED,
            2,
            3,
            &built_in(),
            &[],
        );
        assert_eq!(
            first,
            methods(
                &key,
                "nobody@contoso.example",
                &ALLOWED,
                2,
                3,
                &built_in(),
                &[]
            )
        );
        assert!(first.len() >= 2);
        assert!(first.iter().all(|m| m.record.is_none()));
        assert_eq!(subject(&key, "A@x"), subject(&key, "a@x"));
        assert_ne!(subject(&key, "a@x"), subject(&key, "b@x"));
    }

    #[test]
    fn decoys_vary_between_user_ids_and_look_like_real_methods() {
        let key = ServerKeys::ephemeral().decoy;
        let all: std::collections::HashSet<String> = (0..40)
            .map(|i| {
                format!(
                    "{:?}",
                    methods(
                        &key,
                        &format!("user{i}@x"),
                        &ALLOWED,
                        1,
                        3,
                        &built_in(),
                        &[]
                    )
                )
            })
            .collect();
        assert!(all.len() > 3, "decoys hardly vary: {all:?}");
        let registered = [
            ("home.example".to_owned(), 3),
            ("work.example".to_owned(), 1),
        ];
        let mut seen = std::collections::HashMap::new();
        for i in 0..400 {
            for method in methods(
                &key,
                &format!("user{i}@x"),
                &ALLOWED,
                2,
                4,
                &built_in(),
                &registered,
            ) {
                match method.kind {
                    MethodKind::Email => {
                        let hint = method.hint.unwrap();
                        *seen.entry(hint).or_insert(0) += 1;
                    }
                    MethodKind::SecurityQuestions => assert_eq!(method.questions.len(), 4),
                    _ => assert!(method.hint.is_none()),
                }
            }
        }
        // Only registered domains, about in proportion (3 to 1).
        let home = seen["•••@home.example"];
        let work = seen["•••@work.example"];
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert!(home > 2 * work && work > 0, "{seen:?}");
    }

    #[test]
    fn about_one_decoy_in_sixteen_looks_like_an_administrator_stably() {
        let key = ServerKeys::ephemeral().decoy;
        let admins = (0..1600)
            .filter(|i| looks_like_admin(&key, &format!("user{i}@x")))
            .count();
        assert!((50..=150).contains(&admins), "{admins} of 1600");
        for i in 0..50 {
            let id = format!("User{i}@X");
            assert_eq!(
                looks_like_admin(&key, &id),
                looks_like_admin(&key, &id.to_lowercase())
            );
        }
    }
}
