import express, { type Router } from "express";
import { fnv1a32 } from "~/engine/hash";
import type { DemoProduct } from "./shop";

/**
 * Product pictures for the synthetic shop, drawn here rather than read from files: a simple
 * drawing of the product's kind (a tent, a mug, a backpack…) in a colour picked from its handle,
 * on a pale tint of that colour. Each is a few hundred bytes of SVG, served under an address that
 * changes with its content, so browsers keep it for a year.
 */

/** Where the demo server serves the pictures. */
export const DEMO_IMAGES = "/demo/images";

// Outdoor colours that read well both as a shape and, tinted, as its background.
const PALETTE = [
  "#2f6b4f",
  "#d2642a",
  "#2f6690",
  "#8e3b5f",
  "#b8892a",
  "#4a6fa5",
  "#5f7f22",
  "#1f7a7a",
  "#b5483b",
  "#5b5f97",
];
const INK = "#1d2a33";
const GLOW = "#ffd659";

/** `hex` mixed with white: `share` of white, 0..1. */
function tint(hex: string, share: number): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
    return Math.round(c + (255 - c) * share)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}

/** The drawing of each kind, on a 160×160 canvas: `c` is the product's colour. */
const DRAWINGS: Record<string, (c: string) => string> = {
  Tent: (c) =>
    `<path d="M80 34 20 122h120z" fill="${c}"/><path d="M80 34 64 122h32z" fill="#fff" opacity=".2"/><path d="M80 80 67 122h26z" fill="${INK}" opacity=".6"/><path d="M12 124h136" stroke="${INK}" stroke-width="4" stroke-linecap="round"/>`,
  "Sleeping Bag": (c) =>
    `<path d="M60 32q20-12 40 0l8 96q-28 12-56 0z" fill="${c}"/><ellipse cx="80" cy="46" rx="13" ry="9" fill="${INK}" opacity=".45"/><path d="M95 60l3 64" stroke="#fff" stroke-opacity=".75" stroke-width="3" stroke-dasharray="5 4"/>`,
  "Sleeping Pad": (c) =>
    `<rect x="22" y="60" width="100" height="40" rx="6" fill="${c}"/><path d="M46 60v40M70 60v40M94 60v40" stroke="${INK}" stroke-opacity=".25" stroke-width="3"/><circle cx="122" cy="80" r="22" fill="${c}"/><circle cx="122" cy="80" r="13" fill="none" stroke="#fff" stroke-opacity=".7" stroke-width="3"/><circle cx="122" cy="80" r="4" fill="#fff" opacity=".7"/>`,
  Backpack: (c) =>
    `<path d="M66 38q0-16 14-16t14 16" fill="none" stroke="${INK}" stroke-width="5"/><rect x="46" y="36" width="68" height="98" rx="18" fill="${c}"/><path d="M46 64q34 14 68 0v-10q0-18-18-18H64q-18 0-18 18z" fill="${INK}" opacity=".3"/><rect x="58" y="88" width="44" height="32" rx="8" fill="#fff" opacity=".35"/>`,
  Stove: (c) =>
    `<path d="M80 28c12 16 20 26 20 36a20 20 0 0 1-40 0c0-10 8-20 20-36z" fill="${GLOW}"/><path d="M80 48c6 8 10 13 10 18a10 10 0 0 1-20 0c0-5 4-10 10-18z" fill="#f08a24"/><path d="M46 90h68" stroke="${INK}" stroke-width="5" stroke-linecap="round"/><rect x="73" y="90" width="14" height="10" fill="${INK}" opacity=".6"/><path d="M54 100h52v24q0 8-8 8H62q-8 0-8-8z" fill="${c}"/>`,
  Fuel: (c) =>
    `<rect x="70" y="32" width="20" height="18" rx="3" fill="${INK}" opacity=".7"/><path d="M44 72q0-24 36-24t36 24v48q0 10-10 10H54q-10 0-10-10z" fill="${c}"/><rect x="44" y="88" width="72" height="22" fill="#fff" opacity=".35"/>`,
  Cookware: (c) =>
    `<path d="M72 58q8-10 16 0" fill="none" stroke="${INK}" stroke-width="5"/><path d="M30 64h100M18 84h18M124 84h18" stroke="${INK}" stroke-width="6" stroke-linecap="round"/><path d="M36 70h88v42q0 18-18 18H54q-18 0-18-18z" fill="${c}"/>`,
  Coffee: (c) =>
    `<path d="M62 32q-6 8 0 16M78 26q-6 11 0 22M94 32q-6 8 0 16" fill="none" stroke="${INK}" stroke-opacity=".45" stroke-width="4" stroke-linecap="round"/><path d="M104 74h6q14 0 14 16t-14 16h-6" fill="none" stroke="${c}" stroke-width="8"/><path d="M42 60h62v48q0 22-22 22H64q-22 0-22-22z" fill="${c}"/><rect x="42" y="60" width="62" height="8" fill="${INK}" opacity=".35"/>`,
  // The band seen from the front: its far half paler, its near half running behind the lamp's
  // middle, so the lamp sits on the band rather than hanging from it like a lantern.
  Headlamp: (c) =>
    `<path d="M22 76a58 22 0 0 1 116 0" fill="none" stroke="${INK}" stroke-opacity=".3" stroke-width="8"/><path d="M22 76a58 22 0 0 0 116 0" fill="none" stroke="${INK}" stroke-opacity=".7" stroke-width="8"/><rect x="52" y="58" width="56" height="44" rx="10" fill="${c}"/><circle cx="80" cy="80" r="13" fill="${GLOW}"/><path d="M68 110 56 132M80 112v22M92 110l12 22" stroke="${GLOW}" stroke-width="5" stroke-linecap="round"/>`,
  Batteries: (c) =>
    [46, 70, 94]
      .map(
        (x) =>
          `<rect x="${x + 7}" y="40" width="8" height="8" rx="2" fill="${INK}" opacity=".6"/><rect x="${x}" y="46" width="22" height="80" rx="4" fill="${c}"/><rect x="${x}" y="46" width="22" height="18" rx="4" fill="${INK}" opacity=".3"/>`,
      )
      .join(""),
  "Water Bottle": (c) =>
    `<rect x="66" y="26" width="28" height="22" rx="5" fill="${INK}" opacity=".7"/><rect x="56" y="46" width="48" height="88" rx="14" fill="${c}"/><rect x="56" y="76" width="48" height="26" fill="#fff" opacity=".35"/>`,
  "Water Filter": (c) =>
    `<rect x="62" y="28" width="36" height="72" rx="10" fill="${c}"/><path d="M62 50h36M62 62h36M62 74h36" stroke="#fff" stroke-opacity=".45" stroke-width="3"/><rect x="72" y="100" width="16" height="12" fill="${INK}" opacity=".6"/><path d="M80 116c7 9 11 14 11 19a11 11 0 0 1-22 0c0-5 4-10 11-19z" fill="#4aa3df"/>`,
  Jacket: (c) =>
    `<path d="M60 30 80 40 100 30 130 46 142 98 120 102 116 74V134H44V74L40 102 18 98 30 46z" fill="${c}"/><path d="M60 30q20 24 40 0z" fill="${INK}" opacity=".35"/><path d="M80 42v92" stroke="${INK}" stroke-opacity=".5" stroke-width="3"/>`,
  Socks: (c) =>
    `<path d="M58 28h38v58l30 14a16 16 0 0 1-10 30l-50-12a12 12 0 0 1-8-11z" fill="${c}"/><rect x="58" y="28" width="38" height="14" fill="${INK}" opacity=".3"/><path d="M104 104a16 16 0 0 1 12 26" fill="none" stroke="#fff" stroke-opacity=".5" stroke-width="6"/>`,
  "GPS Watch": (c) =>
    `<rect x="64" y="16" width="32" height="128" rx="8" fill="${INK}" opacity=".75"/><circle cx="80" cy="80" r="36" fill="${c}"/><circle cx="80" cy="80" r="27" fill="${INK}"/><path d="M64 90l8-10 8 6 10-15 8 9" fill="none" stroke="${tint(c, 0.5)}" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"/>`,
  "Trekking Poles": (c) =>
    `<path d="M58 28l14 112M102 28 88 140" stroke="${INK}" stroke-opacity=".7" stroke-width="5" stroke-linecap="round"/><path d="M56 22l3 26M104 22l-3 26" stroke="${c}" stroke-width="13" stroke-linecap="round"/><path d="M60 124h20M80 124h20" stroke="${c}" stroke-width="5" stroke-linecap="round"/>`,
};

/** A parcel, for a kind without a drawing of its own. */
const PARCEL = (c: string) =>
  `<path d="M40 58 80 40l40 18v50l-40 18-40-18z" fill="${c}"/><path d="M40 58l40 18 40-18M80 76v50" fill="none" stroke="${INK}" stroke-opacity=".35" stroke-width="3"/>`;

/** The product's picture as an SVG document. */
export function productImageSvg(
  product: Pick<DemoProduct, "handle" | "productType">,
): string {
  const colour = PALETTE[fnv1a32(product.handle) % PALETTE.length];
  const draw = DRAWINGS[product.productType] ?? PARCEL;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" width="160" height="160"><rect width="160" height="160" fill="${tint(colour, 0.85)}"/>${draw(colour)}</svg>`;
}

const files = new Map<string, string>();

/** The picture's file name: the handle, and a digest of the drawing, so a new drawing is a new address. */
export function productImageFile(
  product: Pick<DemoProduct, "handle" | "productType">,
): string {
  const key = `${product.handle} ${product.productType}`;
  let file = files.get(key);
  if (!file) {
    file = `${product.handle}-${fnv1a32(productImageSvg(product)).toString(36)}.svg`;
    files.set(key, file);
  }
  return file;
}

/** Serves every product's picture at DEMO_IMAGES/<file>, cacheable for a year. */
export function productImages(products: readonly DemoProduct[]): Router {
  const byFile = new Map(
    products.map((p) => [productImageFile(p), productImageSvg(p)]),
  );
  const router = express.Router();
  router.get(`${DEMO_IMAGES}/:file`, (req, res) => {
    const svg = byFile.get(req.params.file);
    if (!svg) return void res.sendStatus(404);
    res
      .type("image/svg+xml")
      .set("Cache-Control", "public, max-age=31536000, immutable")
      .send(svg);
  });
  return router;
}
