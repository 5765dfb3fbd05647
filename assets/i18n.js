/*
 * optiscape: the language switch in the browser (added to the "optiscape" namespace, never replacing it).
 *
 * langLinks(query): the header's EN / 한국어 links follow the share link, each with its own lang=...
 * (English is the default, so its link drops lang). Following one reloads the page in that language
 * with the same state (the link is the state).
 */
(function () {
  'use strict';

  var LANGUAGES = ['en', 'ko'];

  function withLanguage(query, lang) {
    var parts = (query || '').replace(/^\?/, '').split('&').filter(function (part) {
      return part && part.split('=')[0] !== 'lang';
    });
    if (lang !== 'en') { parts.push('lang=' + lang); }
    return '?' + parts.join('&');
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.optiscape = Object.assign(window.dash_clientside.optiscape || {}, {
    langLinks: function (query) {
      if (typeof query !== 'string') {
        return LANGUAGES.map(function () { return window.dash_clientside.no_update; });
      }
      return LANGUAGES.map(function (lang) { return withLanguage(query, lang); });
    }
  });
})();
