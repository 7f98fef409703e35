//! A QR code of a text (an authenticator app's `otpauth://` URI) drawn as one SVG path:
//! a square of modules with the 4-module quiet zone scanners need, black on white
//! whatever the page's colours. Used by the security-info page only, so only its bundle
//! links the encoder.

use leptos::prelude::*;
use qrcodegen::{QrCode as Code, QrCodeEcc};
use std::fmt::Write;

/// Modules of white around the code.
pub const QUIET_ZONE: i32 = 4;

/// The code of `text` as (modules across, quiet zone included; the SVG path of its dark
/// modules, one unit square each), or `None` when the text is too long for a QR code.
pub fn svg_path(text: &str) -> Option<(i32, String)> {
    let code = Code::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
            }
        }
    }
    Some((size + 2 * QUIET_ZONE, path))
}

/// The code as an image, named by `label` for screen readers (who get the text beside it).
#[component]
pub fn QrCode(text: String, #[prop(into)] label: Signal<String>) -> impl IntoView {
    svg_path(&text).map(|(size, path)| {
        view! {
            <svg
                class="qr-code"
                viewBox=format!("0 0 {size} {size}")
                role="img"
                aria-label=label
                shape-rendering="crispEdges"
            >
                <rect width=size height=size fill="#fff" />
                <path d=path fill="#000" />
            </svg>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/Contoso:adele.vance%40contoso.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Contoso&algorithm=SHA1&digits=6&period=30";

    /// The dark modules a path draws, read back from its `M x,y h1v1h-1z` squares.
    fn modules(path: &str) -> Vec<(i32, i32)> {
        path.split('M')
            .filter(|square| !square.is_empty())
            .map(|square| {
                let (x, rest) = square.split_once(',').unwrap();
                let y = rest.split_once('h').unwrap().0;
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    /// Rasterises the drawn path at 4 px a module and reads it with a QR decoder, quiet
    /// zone and all, as a phone's camera would.
    #[test]
    fn the_drawn_code_decodes_to_the_uri() {
        let (size, path) = svg_path(URI).unwrap();
        let dark: std::collections::HashSet<(i32, i32)> = modules(&path).into_iter().collect();
        let scale = 4;
        let pixels = (size * scale) as usize;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
            let module = (x as i32 / scale, y as i32 / scale);
            if dark.contains(&module) { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, text) = grids[0].decode().unwrap();
        assert_eq!(text, URI);
        // The quiet zone is empty.
        assert!(dark.iter().all(|&(x, y)| {
            (QUIET_ZONE..size - QUIET_ZONE).contains(&x)
                && (QUIET_ZONE..size - QUIET_ZONE).contains(&y)
        }));
    }

    #[test]
    fn a_text_too_long_for_a_code_draws_nothing() {
        assert!(svg_path(&"x".repeat(5000)).is_none());
    }
}
