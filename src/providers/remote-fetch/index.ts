/**
 * Fetching URLs on a client's behalf (image_url parts that an upstream needs inline), refusing what a client must not
 * make the router reach: loopback, private, link-local and metadata addresses, checked after DNS and on every redirect.
 * The only public entry point of this directory.
 */
export { addressPolicy, defaultAddressPolicy, parseCidr, refusedClass, type AddressPolicy, type RefusedClass } from './address.js';
export { fetchRemoteImage, RemoteFetchError, type FetchedImage, type RemoteFetchErrorCode, type RemoteFetchOptions, type Resolver } from './fetch.js';
export { hasRemoteImages, inlineRemoteImages, MAX_REMOTE_IMAGES } from './inline.js';
