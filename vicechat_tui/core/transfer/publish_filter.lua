-- vicechat's filter for every pandoc run: text from models, web pages and imported files
-- is data, never markup that acts.
--  * Raw HTML, TeX or Typst stays visible as the text it is (pandoc's commonmark reader
--    keeps raw HTML even with -raw_html, so this is where it is stopped).
--  * Links keep only web, mail and relative targets; any other scheme (javascript:,
--    file:, data: …) leaves just the link's text.
--  * Images are never fetched: a data: image (png, jpeg, gif, webp) is embedded as it is,
--    any other image becomes a link to where it points.

local LINK_SCHEMES = { http = true, https = true, mailto = true }
local DATA_IMAGES = { "png", "jpeg", "jpg", "gif", "webp" }

local function scheme(target)
  return target:match("^%s*([%a][%w+.-]*):")
end

local function linkable(target)
  local found = scheme(target)
  if found == nil then
    return true -- relative path or #anchor
  end
  return LINK_SCHEMES[found:lower()] == true
end

local function data_image(target)
  local kind = target:match("^data:image/([%a]+)[;,]")
  if kind == nil then
    return false
  end
  kind = kind:lower()
  for _, allowed in ipairs(DATA_IMAGES) do
    if kind == allowed then
      return true
    end
  end
  return false
end

function RawInline(raw)
  return pandoc.Inlines(raw.text)
end

function RawBlock(raw)
  return pandoc.Para(pandoc.Inlines(raw.text))
end

function Link(link)
  if linkable(link.target) then
    return nil
  end
  return link.content
end

function Image(image)
  if data_image(image.src) then
    return nil
  end
  local text = image.caption
  if #text == 0 then
    text = pandoc.Inlines(image.src)
  end
  if linkable(image.src) then
    return pandoc.Link(text, image.src, image.title)
  end
  return text
end
