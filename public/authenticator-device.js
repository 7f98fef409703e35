// The authenticator page's device: a WebCrypto ECDSA P-256 key made on this phone and kept
// in IndexedDB as a non-extractable CryptoKey (its private half can sign but never be read
// out, not even by this page), the device id the server gave at enrolment, the signing of
// the page's own requests, and the Web Push subscription that wakes the page. The wasm
// imports these functions (wasm-bindgen snippet); nothing here talks to the server.

const DB = "sspr-authenticator";
const STORE = "device";
const KEY = "this-device";

function database() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function read() {
  const db = await database();
  return new Promise((resolve, reject) => {
    const get = db.transaction(STORE).objectStore(STORE).get(KEY);
    get.onsuccess = () => resolve(get.result || null);
    get.onerror = () => reject(get.error);
  });
}

async function write(value) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    if (value === null) tx.objectStore(STORE).delete(KEY);
    else tx.objectStore(STORE).put(value, KEY);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

function base64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(plain, (c) => c.charCodeAt(0));
}

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The enrolled device as JSON ({device_id, organisation_name, account_hint}), or "" when
// this browser holds none (never enrolled, or the browser dropped the page's storage).
export async function enrolledDevice() {
  const device = await read();
  if (!device || !device.enrolled || !device.keys) return "";
  return JSON.stringify(device.enrolled);
}

// Makes this device's key pair (the private key non-extractable) and keeps it, not yet
// enrolled; the public key as base64url of the uncompressed point.
export async function newKey() {
  const keys = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign", "verify"],
  );
  await write({ keys, enrolled: null });
  return base64url(await crypto.subtle.exportKey("raw", keys.publicKey));
}

// Keeps what the server answered to the enrolment (JSON of `Enrolled`).
export async function keepEnrolment(enrolledJson) {
  const device = await read();
  if (!device || !device.keys) throw new Error("no key to enrol");
  device.enrolled = JSON.parse(enrolledJson);
  await write(device);
}

// Forgets the device (the server no longer knows it): the person enrols again.
export async function forgetDevice() {
  await write(null);
}

// The headers that sign one request of the page's own, as JSON
// ({"x-device-id", "x-device-time", "x-device-signature"}): ECDSA P-256 SHA-256 over
// "sspr-device\n{METHOD}\n{path}\n{unix seconds}\n{sha256 hex of body}".
export async function signedHeaders(method, path, body) {
  const device = await read();
  if (!device || !device.enrolled) throw new Error("not enrolled");
  const time = Math.floor(Date.now() / 1000);
  const text = `sspr-device\n${method.toUpperCase()}\n${path}\n${time}\n${await sha256Hex(body)}`;
  const signature = await crypto.subtle.sign(
    { name: "ECDSA", hash: "SHA-256" },
    device.keys.privateKey,
    new TextEncoder().encode(text),
  );
  return JSON.stringify({
    "x-device-id": device.enrolled.device_id,
    "x-device-time": String(time),
    "x-device-signature": base64url(signature),
  });
}

// Registers the page's service worker and subscribes to Web Push with the server's VAPID
// key; the subscription as JSON, or "" where push is unavailable or refused (the page
// then sees requests only while it is open).
export async function subscribePush(vapidPublicKey) {
  try {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) return "";
    const registration = await navigator.serviceWorker.register("/authenticator-sw.js", {
      scope: "/authenticator",
    });
    await navigator.serviceWorker.ready;
    if ((await Notification.requestPermission()) !== "granted") return "";
    // A push service that cannot be reached must not hold the enrolment up.
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("the push service did not answer")), 10000),
    );
    const subscription = await Promise.race([
      registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: fromBase64url(vapidPublicKey),
      }),
      timeout,
    ]);
    return JSON.stringify(subscription.toJSON());
  } catch (error) {
    console.warn("push unavailable:", error);
    return "";
  }
}

// Calls `wake` whenever the service worker says a push arrived.
export function onPush(wake) {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "sspr-push") wake();
    });
  }
}

// Keeps the words of the notification the service worker shows when a push arrives with
// no page open, in the language the page was last read in (the worker has no texts of
// its own). Where Cache Storage is unavailable it keeps its English.
export async function keepNotificationText(title, body) {
  try {
    const cache = await caches.open("sspr-authenticator");
    await cache.put(
      "/authenticator/notification-text",
      new Response(JSON.stringify({ title, body }), {
        headers: { "content-type": "application/json" },
      }),
    );
  } catch (error) {
    console.warn("notification text not kept:", error);
  }
}
