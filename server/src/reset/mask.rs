//! Masked contact data (DESIGN.md section 2): enough for a person to recognise their own
//! address or number, too little to learn it. `adele@home.example` -> `a•••@home.example`,
//! `+44 7700 900123` -> `•••• 23`.

const DOTS: &str = "•••";

pub fn email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{DOTS}@{domain}")
        }
        None => DOTS.to_owned(),
    }
}

pub fn phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("•••• {last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_keep_the_first_letter_and_the_domain() {
        assert_eq!(email("adele.vance@home.example"), "a•••@home.example");
        assert_eq!(email("Ö@x.example"), "Ö•••@x.example");
        assert_eq!(email("@x.example"), "•••@x.example");
        assert_eq!(email("no-at-sign"), "•••");
    }

    #[test]
    fn phones_keep_the_last_two_digits() {
        assert_eq!(phone("+44 7700 900123"), "•••• 23");
        assert_eq!(phone("7"), "•••• 7");
    }
}
