//! The organisation's look (`[theme]`, README "Embedding"): brand and accent colours, font
//! stack, corner radius and logo, served as CSS custom properties in `/theme.css`, which
//! every page links after its own stylesheet. It also carries the dark scheme: used when
//! the browser prefers it (`prefers-color-scheme`), or when the page asks for it
//! (`<html data-theme="dark">`, from `?theme=dark`, as an embedding login page may);
//! `data-theme="light"` keeps the light one.
//!
//! Colours are checked at start against WCAG 2.2 AA (text 4.5:1): the brand as link text
//! on the page and behind white text (header, buttons), the accent behind the focus
//! state's dark text, and the dark scheme's brand the same way on its dark page.

use serde::{Deserialize, Serialize};

/// `[theme]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThemeConfig {
    /// Header, links and buttons, light scheme (`#rrggbb` or `#rgb`).
    pub brand: String,
    /// Focus highlight, behind dark text.
    pub accent: String,
    /// Header, links and buttons in the dark scheme.
    pub dark_brand: String,
    /// A CSS font stack, e.g. `"Segoe UI", system-ui, sans-serif`.
    pub font: String,
    /// Corner radius of buttons, fields and panels: `0`, or a length in px, rem or em.
    pub radius: String,
    /// The logo in the header: a path on this server (`/logo.svg`) or an https URL.
    pub logo_url: Option<String>,
}

impl Default for ThemeConfig {
    fn default() -> Self {
        ThemeConfig {
            brand: "#1d4f91".into(),
            accent: "#ffdd00".into(),
            dark_brand: "#8ab4f8".into(),
            font: r#"system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif"#
                .into(),
            radius: "0".into(),
            logo_url: None,
        }
    }
}

/// The page's text and background colours in each scheme (not configurable: they are the
/// base every contrast is checked against).
const LIGHT_TEXT: Rgb = Rgb(0x0b, 0x0c, 0x0c);
const LIGHT_PAGE: Rgb = Rgb(0xff, 0xff, 0xff);
const DARK_TEXT: Rgb = Rgb(0xf3, 0xf2, 0xf1);
const DARK_PAGE: Rgb = Rgb(0x12, 0x13, 0x14);
/// WCAG 2.2 AA for normal text.
const AA: f64 = 4.5;

/// A theme that cannot be used, and why.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ThemeError {
    #[error("theme.{key}: {value:?} is not a colour such as \"#1d4f91\"")]
    NotAColour { key: &'static str, value: String },
    #[error(
        "theme.{key}: {fore} on {back} has a contrast of {ratio:.2}:1, below the 4.5:1 that \
         WCAG 2.2 AA asks of text; choose a {hint} colour"
    )]
    LowContrast {
        key: &'static str,
        fore: String,
        back: String,
        ratio: f64,
        hint: &'static str,
    },
    #[error("theme.font: {0:?} is not a font stack (names, quotes, commas, hyphens)")]
    Font(String),
    #[error(
        "theme.radius: {0:?} is not 0 or a length such as \"4px\" or \"0.5rem\" (at most 2rem)"
    )]
    Radius(String),
    #[error("theme.logo_url: {0:?} is not a path on this server or an https URL")]
    Logo(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn parse(key: &'static str, value: &str) -> Result<Rgb, ThemeError> {
        let bad = || ThemeError::NotAColour {
            key,
            value: value.to_owned(),
        };
        let hex = value.strip_prefix('#').ok_or_else(bad)?;
        let digit = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
        let rgb = match hex.len() {
            6 => (digit(0, 2), digit(2, 2), digit(4, 2)),
            3 => (
                digit(0, 1).map(|d| d * 17),
                digit(1, 1).map(|d| d * 17),
                digit(2, 1).map(|d| d * 17),
            ),
            _ => return Err(bad()),
        };
        match rgb {
            (Some(r), Some(g), Some(b)) => Ok(Rgb(r, g, b)),
            _ => Err(bad()),
        }
    }

    /// WCAG relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    fn css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The WCAG contrast ratio of two colours (1 to 21).
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

fn check(key: &'static str, fore: Rgb, back: Rgb, hint: &'static str) -> Result<(), ThemeError> {
    let ratio = contrast(fore, back);
    if ratio < AA {
        return Err(ThemeError::LowContrast {
            key,
            fore: fore.css(),
            back: back.css(),
            ratio,
            hint,
        });
    }
    Ok(())
}

/// A checked theme, ready to be served.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    css: String,
}

impl Theme {
    /// Checks `config` and writes its stylesheet.
    pub fn new(config: &ThemeConfig) -> Result<Theme, ThemeError> {
        let brand = Rgb::parse("brand", &config.brand)?;
        let accent = Rgb::parse("accent", &config.accent)?;
        let dark_brand = Rgb::parse("dark_brand", &config.dark_brand)?;
        check("brand", brand, LIGHT_PAGE, "darker")?;
        check("brand", LIGHT_PAGE, brand, "darker")?;
        check("accent", LIGHT_TEXT, accent, "lighter")?;
        check("dark_brand", dark_brand, DARK_PAGE, "lighter")?;
        check("dark_brand", LIGHT_TEXT, dark_brand, "lighter")?;
        let font = font(&config.font)?;
        let radius = radius(&config.radius)?;
        let logo = match &config.logo_url {
            Some(url) => format!("url(\"{}\")", logo(url)?),
            None => "none".to_owned(),
        };
        let dark = format!(
            "  color-scheme: dark;\n  --colour-text: {text};\n  --colour-secondary-text: #b1b4b6;\n  \
             --colour-page: {page};\n  --colour-surface: #1d1f21;\n  --colour-border: #6f777b;\n  \
             --colour-brand: {dark_brand};\n  --colour-link: {dark_brand};\n  \
             --colour-on-brand: {on_dark};\n  --colour-button: {dark_brand};\n  \
             --colour-button-text: {on_dark};\n  --colour-button-shadow: #000;\n  \
             --colour-secondary-button: #2b2e31;\n  --colour-error: #f28b82;\n  \
             --colour-success: #81c995;\n  --colour-highlight: #1f3a5a;\n",
            text = DARK_TEXT.css(),
            page = DARK_PAGE.css(),
            dark_brand = dark_brand.css(),
            on_dark = LIGHT_TEXT.css(),
        );
        let css = format!(
            "/* The organisation's theme ([theme]); generated by the server at start. */\n\
             :root {{\n  --colour-brand: {brand};\n  --colour-link: {brand};\n  \
             --colour-focus: {accent};\n  --font-body: {font};\n  --radius: {radius};\n  \
             --logo: {logo};\n}}\n\
             @media (prefers-color-scheme: dark) {{\n:root:not([data-theme=\"light\"]) {{\n{dark}}}\n}}\n\
             :root[data-theme=\"dark\"] {{\n{dark}}}\n",
            brand = brand.css(),
            accent = accent.css(),
        );
        Ok(Theme { css })
    }

    /// `/theme.css`.
    pub fn css(&self) -> &str {
        &self.css
    }
}

fn font(stack: &str) -> Result<String, ThemeError> {
    let ok = !stack.trim().is_empty()
        && stack.len() <= 300
        && stack
            .chars()
            .all(|c| c.is_alphanumeric() || " ,-_\"'".contains(c));
    ok.then(|| stack.trim().to_owned())
        .ok_or_else(|| ThemeError::Font(stack.to_owned()))
}

fn radius(value: &str) -> Result<String, ThemeError> {
    let value = value.trim();
    if value == "0" {
        return Ok("0".into());
    }
    let (number, unit, max) = if let Some(n) = value.strip_suffix("px") {
        (n, "px", 32.0)
    } else if let Some(n) = value.strip_suffix("rem") {
        (n, "rem", 2.0)
    } else if let Some(n) = value.strip_suffix("em") {
        (n, "em", 2.0)
    } else {
        return Err(ThemeError::Radius(value.to_owned()));
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=max).contains(&n) && !number.contains(['e', 'E']) => {
            Ok(format!("{number}{unit}"))
        }
        _ => Err(ThemeError::Radius(value.to_owned())),
    }
}

fn logo(url: &str) -> Result<&str, ThemeError> {
    let safe_chars = url
        .chars()
        .all(|c| c.is_ascii_graphic() && !"\"'()\\<>".contains(c));
    let place = (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://");
    (safe_chars && place && url.len() <= 500)
        .then_some(url)
        .ok_or_else(|| ThemeError::Logo(url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_wcags() {
        let black = Rgb(0, 0, 0);
        let white = Rgb(255, 255, 255);
        assert!((contrast(black, white) - 21.0).abs() < 1e-9);
        assert!((contrast(white, white) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let grey = Rgb::parse("brand", "#767676").unwrap();
        assert!((contrast(grey, white) - 4.54).abs() < 0.01);
    }

    #[test]
    fn the_default_theme_passes_and_a_faint_brand_is_refused_with_its_ratio() {
        let theme = Theme::new(&ThemeConfig::default()).unwrap();
        assert!(theme.css().contains("--colour-brand: #1d4f91;"));
        assert!(theme.css().contains("prefers-color-scheme: dark"));
        assert!(theme.css().contains(":root[data-theme=\"dark\"]"));
        let faint = ThemeConfig {
            brand: "#7fb2e5".into(),
            ..ThemeConfig::default()
        };
        let err = Theme::new(&faint).unwrap_err();
        assert!(
            matches!(err, ThemeError::LowContrast { key: "brand", .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("theme.brand") && text.contains("4.5:1") && text.contains("darker"),
            "{text}"
        );
        let dark = ThemeConfig {
            dark_brand: "#1d4f91".into(),
            ..ThemeConfig::default()
        };
        assert!(matches!(
            Theme::new(&dark).unwrap_err(),
            ThemeError::LowContrast {
                key: "dark_brand",
                ..
            }
        ));
        let accent = ThemeConfig {
            accent: "#333".into(),
            ..ThemeConfig::default()
        };
        assert!(matches!(
            Theme::new(&accent).unwrap_err(),
            ThemeError::LowContrast { key: "accent", .. }
        ));
    }

    #[test]
    fn nothing_but_colours_lengths_fonts_and_urls_reaches_the_stylesheet() {
        for (config, key) in [
            (
                ThemeConfig {
                    brand: "red".into(),
                    ..ThemeConfig::default()
                },
                "colour",
            ),
            (
                ThemeConfig {
                    brand: "#12345g".into(),
                    ..ThemeConfig::default()
                },
                "colour",
            ),
            (
                ThemeConfig {
                    font: "a; } body { display: none".into(),
                    ..ThemeConfig::default()
                },
                "font",
            ),
            (
                ThemeConfig {
                    radius: "4px; color: red".into(),
                    ..ThemeConfig::default()
                },
                "radius",
            ),
            (
                ThemeConfig {
                    radius: "40px".into(),
                    ..ThemeConfig::default()
                },
                "radius",
            ),
            (
                ThemeConfig {
                    logo_url: Some("javascript:alert(1)".into()),
                    ..ThemeConfig::default()
                },
                "logo",
            ),
            (
                ThemeConfig {
                    logo_url: Some("/logo.svg\"); x: (".into()),
                    ..ThemeConfig::default()
                },
                "logo",
            ),
            (
                ThemeConfig {
                    logo_url: Some("//evil.example/x.svg".into()),
                    ..ThemeConfig::default()
                },
                "logo",
            ),
        ] {
            let err = Theme::new(&config).unwrap_err();
            let matched = match key {
                "colour" => matches!(err, ThemeError::NotAColour { .. }),
                "font" => matches!(err, ThemeError::Font(_)),
                "radius" => matches!(err, ThemeError::Radius(_)),
                _ => matches!(err, ThemeError::Logo(_)),
            };
            assert!(matched, "{key}: {err}");
        }
        let fine = ThemeConfig {
            brand: "#063".into(),
            font: "\"Open Sans\", Arial, sans-serif".into(),
            radius: "0.25rem".into(),
            logo_url: Some("https://cdn.contoso.example/logo.svg".into()),
            ..ThemeConfig::default()
        };
        let css = Theme::new(&fine).unwrap().css().to_owned();
        assert!(css.contains("--colour-brand: #006633;"), "{css}");
        assert!(css.contains("--radius: 0.25rem;"), "{css}");
        assert!(
            css.contains("--logo: url(\"https://cdn.contoso.example/logo.svg\");"),
            "{css}"
        );
    }
}
