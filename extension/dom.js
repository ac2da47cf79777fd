/** Building DOM without HTML strings: text always goes in through textContent. */

/**
 * @param {string} tag
 * @param {{className?: string, text?: string, attrs?: Record<string, string>}} [options]
 * @param {...Node} children
 */
export function el(tag, { className, text, attrs } = {}, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Replace the children of `parent` with `children`. */
export function show(parent, ...children) {
  parent.replaceChildren(...children);
}
