-- For imports, after publish_filter.lua:
--  * A document title that the file carries as metadata (Word's "Title" style, HTML's
--    <title>) becomes a lone level-1 heading with every other heading one level deeper,
--    which is how vicechat's Markdown import reads a document's title. Without one, the
--    headings are left as they are and the Markdown rules decide.
--    (For OpenDocument, vicechat reads the Title paragraph into the metadata itself.)
--  * A heading's text is written as it reads, without Markdown escapes or an {#id}: the
--    Markdown import takes heading lines literally as section titles.

local function literal_heading(level, inlines)
  local text = pandoc.utils.stringify(inlines):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  return pandoc.Header(level, { pandoc.RawInline("commonmark", text) })
end

function Pandoc(doc)
  local title = doc.meta.title
  local shift = 0
  if title ~= nil and pandoc.utils.stringify(title):match("%S") then
    shift = 1
  end
  local first = doc.blocks[1]
  if shift == 1 and first ~= nil and first.t == "Para"
      and pandoc.utils.stringify(first) == pandoc.utils.stringify(title) then
    doc.blocks:remove(1) -- OpenDocument: the title paragraph, now the title
  end
  local blocks = doc.blocks:walk({
    Header = function(header)
      return literal_heading(header.level + shift, header.content)
    end,
  })
  if shift == 1 then
    blocks:insert(1, literal_heading(1, pandoc.Inlines(pandoc.utils.stringify(title))))
  end
  doc.meta.title = nil
  return pandoc.Pandoc(blocks, doc.meta)
end
