//! This phone as a device of the authenticator: the key, the enrolment and the push
//! subscription live in `public/authenticator-device.js` (WebCrypto and IndexedDB have no
//! small Rust binding; the private key is a non-extractable `CryptoKey` that never enters
//! the wasm). This module is its typed face.

use sspr_api::authenticator::{Enrolled, PushSubscription};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/public/authenticator-device.js")]
extern "C" {
    #[wasm_bindgen(js_name = enrolledDevice, catch)]
    async fn enrolled_device() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = newKey, catch)]
    async fn new_key() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = keepEnrolment, catch)]
    async fn keep_enrolment(enrolled: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = forgetDevice, catch)]
    async fn forget_device() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = signedHeaders, catch)]
    async fn signed_headers_js(method: &str, path: &str, body: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = subscribePush, catch)]
    async fn subscribe_push_js(vapid_public_key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = onPush)]
    fn on_push_js(wake: &Closure<dyn FnMut()>);
}

/// Why the device cannot do what was asked (no WebCrypto, storage refused, no key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the device cannot {0}")]
pub struct DeviceError(&'static str);

fn text(value: JsValue) -> String {
    value.as_string().unwrap_or_default()
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Option<T> {
    let value = js_sys::JSON::parse(json).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// The enrolment this browser holds, if any (a browser may drop a web app's storage after
/// weeks unused: then the person enrols again).
pub async fn enrolled() -> Option<Enrolled> {
    let json = text(enrolled_device().await.ok()?);
    parse(&json)
}

/// Makes this device's key pair and keeps it; the public key (base64url, uncompressed).
pub async fn create_key() -> Result<String, DeviceError> {
    new_key()
        .await
        .map(text)
        .map_err(|_| DeviceError("make a key (this browser has no WebCrypto here)"))
}

/// Keeps the server's answer to the enrolment beside the key.
pub async fn keep(enrolled: &Enrolled) -> Result<(), DeviceError> {
    let json = crate::api::to_json(enrolled).map_err(|_| DeviceError("keep its enrolment"))?;
    keep_enrolment(&json)
        .await
        .map(drop)
        .map_err(|_| DeviceError("keep its enrolment"))
}

/// Forgets the enrolment and the key.
pub async fn forget() {
    let _ = forget_device().await;
}

/// The headers that sign a request of the page's own (`method`, `path`, the exact body).
pub async fn signed_headers(
    method: &str,
    path: &str,
    body: &str,
) -> Result<Vec<(String, String)>, DeviceError> {
    let json = signed_headers_js(method, path, body)
        .await
        .map(text)
        .map_err(|_| DeviceError("sign a request (not enrolled)"))?;
    let headers: std::collections::BTreeMap<String, String> =
        parse(&json).ok_or(DeviceError("sign a request"))?;
    Ok(headers.into_iter().collect())
}

/// Subscribes to Web Push (asking the person's permission); `None` where push is
/// unavailable or refused (the page then sees requests only while it is open).
pub async fn subscribe_push(vapid_public_key: &str) -> Option<PushSubscription> {
    let json = text(subscribe_push_js(vapid_public_key).await.ok()?);
    parse(&json)
}

/// Calls `wake` whenever a push arrives while the page is open.
pub fn on_push(wake: impl FnMut() + 'static) {
    let closure = Closure::<dyn FnMut()>::new(wake);
    on_push_js(&closure);
    // The listener lives as long as the page.
    closure.forget();
}
