// htmx is copied into public/ at build time; the tests serve public/ too, so they make the same copy first.
module.exports = async () => {
  require('../../scripts/vendor').copyVendor();
};
