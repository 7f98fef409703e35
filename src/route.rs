//! The app's pages and the URL paths they live at.

/// A page of the app, chosen from `location.pathname`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The reset portal (the wizard), at `/` and `/reset`.
    Reset,
    /// The signed-in security-info page, at `/security-info`.
    SecurityInfo,
    /// The authenticator page on the person's phone, at `/authenticator`.
    Authenticator,
    /// Any other path.
    NotFound,
}

impl Page {
    /// Parses a URL path; a trailing slash and letter case do not matter.
    pub fn from_path(path: &str) -> Page {
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("/reset") {
            Page::Reset
        } else if trimmed.eq_ignore_ascii_case("/security-info") {
            Page::SecurityInfo
        } else if trimmed.eq_ignore_ascii_case("/authenticator") {
            Page::Authenticator
        } else {
            Page::NotFound
        }
    }

    /// The page of the reset portal's bundles at `path`: the portal, or not found (the
    /// other areas are other bundles' pages).
    pub fn of_portal(path: &str) -> Page {
        match Page::from_path(path) {
            Page::Reset => Page::Reset,
            _ => Page::NotFound,
        }
    }

    /// The canonical path of the page.
    pub fn path(self) -> &'static str {
        match self {
            Page::Reset | Page::NotFound => "/",
            Page::SecurityInfo => "/security-info",
            Page::Authenticator => "/authenticator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_is_at_the_root_and_at_reset() {
        for path in ["", "/", "/reset", "/reset/", "/RESET"] {
            assert_eq!(Page::from_path(path), Page::Reset, "{path:?}");
        }
    }

    #[test]
    fn security_info_has_its_own_path() {
        assert_eq!(Page::from_path("/security-info"), Page::SecurityInfo);
        assert_eq!(Page::from_path("/security-info/"), Page::SecurityInfo);
    }

    #[test]
    fn anything_else_is_not_found() {
        for path in [
            "/security",
            "/reset/x",
            "/api/v1/health",
            "/reset/security-info",
        ] {
            assert_eq!(Page::from_path(path), Page::NotFound, "{path:?}");
        }
    }

    #[test]
    fn paths_round_trip() {
        for page in [Page::Reset, Page::SecurityInfo] {
            assert_eq!(Page::from_path(page.path()), page);
        }
    }
}
